import ArgumentParser
import Foundation
import Ingest
import Journal
import Server

/// `infinity sites …`: the registered sites.
struct SitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "Register the sites whose hits are counted (hits for other domains are dropped).",
        subcommands: [Add.self, List.self, Remove.self, Share.self],
        defaultSubcommand: List.self
    )

    static func store(_ options: DataOptions) throws -> SiteStore { try SiteStore(path: options.data + "/sites.json") }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a site, or change its time zone.",
            discussion: """
                A new site is counted in UTC unless --timezone says otherwise; for a registered \
                site, what is not given stays as it was. A changed time zone recounts the site's \
                past days from the journal in the new zone (a rebuild of that site, safe while \
                `infinity serve` runs).
                Examples:
                  infinity sites add example.com --timezone Europe/Berlin
                  infinity sites add example.com --enable-privacy-signals
                """)

        @OptionGroup var options: DataOptions
        @Argument(help: "The site's domain, without www. Example: example.com") var domain: String
        @Option(
            help:
                "The time zone its days are counted in (an IANA name; a new site: UTC). Example: --timezone America/New_York"
        )
        var timezone: String?
        @Flag(
            inversion: .prefixedEnableDisable,
            help:
                "Drop hits from visitors whose browser asks not to be tracked (Global Privacy Control, Do Not Track). Off for a new site; unchanged when not given. Example: --enable-privacy-signals"
        )
        var privacySignals: Bool?

        func run() throws {
            try options.requireOwner()
            // Through the deletion's bookkeeping: a site deleted before keeps its old hits erased.
            let deletion = try SiteDeletion(dataDirectory: options.data, sites: SitesCommand.store(options))
            let added = try deletion.add(domain: domain, timezone: timezone, honorPrivacySignals: privacySignals)
            let entry = added.entry
            let choice =
                entry.honorPrivacySignals == true ? "; visitors' Do Not Track and Global Privacy Control honoured" : ""
            print("Registered \(entry.domain) (days counted in \(entry.timezone)\(choice)).")
            guard let before = added.previousTimezone else { return }
            let began = Terminal.seconds()
            do {
                guard let report = try deletion.recount(entry.domain, logger: Infinity.makeLogger()) else { return }
                print(
                    "Recounted \(report.daysWritten) days of \(entry.domain) from the journal in \(entry.timezone) "
                        + "(they were counted in \(before)) in \(Format.decimal(Terminal.seconds() - began)) s.")
            } catch {
                throw CommandFailure(
                    "the time zone is changed, but \(entry.domain)'s past days could not be recounted: \(error); "
                        + "run `infinity rebuild --site \(entry.domain) --data \(options.data)` to recount them")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the registered sites.", discussion: "Example: infinity sites list --data ./data")

        @OptionGroup var options: DataOptions

        func run() throws {
            let entries = try SitesCommand.store(options).entries
            guard !entries.isEmpty else {
                print("No sites yet. Add one with: infinity sites add example.com --timezone Europe/Berlin")
                return
            }
            var table = TextTable(["site", "time zone", "privacy signals"])
            for entry in entries {
                table.add([entry.domain, entry.timezone, entry.honorPrivacySignals == true ? "honoured" : "counted"])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Stop counting a site; with --delete-data, delete everything recorded of it.",
            discussion: """
                Without --delete-data the site's recorded hits stay in the journal, and adding it \
                again shows them again. With --delete-data its numbers, goals, funnels, shared links, \
                reports and imported history are deleted, API keys lose it, and its hits are erased \
                from the journal: at once for every answer and export, from the disk as the sealed \
                segments that hold them are rewritten now (today's open segment follows when \
                `serve` seals it after midnight UTC). Safe while `infinity serve` runs. Cannot be undone; \
                take a backup first if in doubt.

                Examples:
                  infinity sites remove example.com
                  infinity sites remove example.com --delete-data
                """)

        @OptionGroup var options: DataOptions
        @Argument(help: "The site's domain. Example: example.com") var domain: String
        @Flag(help: "Delete the site's numbers and settings and erase its hits from the journal.")
        var deleteData = false

        func run() throws {
            try options.requireOwner()
            guard deleteData else {
                guard try SitesCommand.store(options).remove(domain: domain) else {
                    throw CommandFailure("\(domain) is not a registered site; see `infinity sites list`")
                }
                print("Removed \(domain); its recorded hits stay in the journal (--delete-data deletes them).")
                return
            }
            let deletion = try SiteDeletion(dataDirectory: options.data, sites: SitesCommand.store(options))
            let removed: SiteDeletion.Removed
            do {
                removed = try deletion.delete(domain)
            } catch let error as ServerError {
                throw CommandFailure(error.description)
            }
            print(
                "Deleted \(domain): its numbers\(removed.dayFiles ? " (day files)" : ""), \(removed.goalsAndFunnels) goals and funnels, \(removed.links) shared links, \(removed.reports) reports, \(removed.imports) imports; \(removed.keysRevoked) API keys for it alone revoked."
            )
            var bar = ProgressBar(
                title: "erase", total: Double(max(1, (try? options.journal.segments().count) ?? 1)), unit: "segments",
                enabled: Terminal.stderrIsTerminal)
            var done = 0
            // The bar shows the progress; each rewritten segment is not worth a log line here.
            var logger = Infinity.makeLogger()
            logger.logLevel = .warning
            let erased = try deletion.eraseJournal(logger: logger) { _ in
                done += 1
                bar.update(done: Double(done), count: Double(done), countUnit: "segments")
            }
            bar.finish()
            print(
                "Erased \(erased) of its records from the journal's sealed segments; any in today's open segment are erased when it is sealed, and no answer or export counts them meanwhile."
            )
        }
    }
}
