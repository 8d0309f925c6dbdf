import ArgumentParser
import Ingest

/// `infinity sites …`: the registered sites.
struct SitesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "Register the sites whose hits are counted (hits for other domains are dropped).",
        subcommands: [Add.self, List.self, Remove.self, Share.self]
    )

    static func store(_ options: DataOptions) throws -> SiteStore { try SiteStore(path: options.data + "/sites.json") }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a site, or change its time zone.",
            discussion: "Example: infinity sites add example.com --timezone Europe/Berlin")

        @OptionGroup var options: DataOptions
        @Argument(help: "The site's domain, without www. Example: example.com") var domain: String
        @Option(help: "The time zone its days are counted in (an IANA name). Example: --timezone America/New_York")
        var timezone: String = "UTC"
        @Flag(
            inversion: .prefixedEnableDisable,
            help:
                "Drop hits from visitors whose browser asks not to be tracked (Global Privacy Control, Do Not Track). Off for a new site; unchanged when not given. Example: --enable-privacy-signals"
        )
        var privacySignals: Bool?

        func run() throws {
            let entry = try SitesCommand.store(options).add(
                domain: domain, timezone: timezone, honorPrivacySignals: privacySignals)
            let choice =
                entry.honorPrivacySignals == true ? "; visitors' Do Not Track and Global Privacy Control honoured" : ""
            print("Registered \(entry.domain) (days counted in \(entry.timezone)\(choice)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
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
            abstract: "Stop counting a site (its recorded hits stay in the journal).",
            discussion: "Example: infinity sites remove example.com")

        @OptionGroup var options: DataOptions
        @Argument(help: "The site's domain. Example: example.com") var domain: String

        func run() throws {
            guard try SitesCommand.store(options).remove(domain: domain) else {
                throw CommandFailure("\(domain) is not a registered site; see `infinity sites list`")
            }
            print("Removed \(domain); its recorded hits stay in the journal.")
        }
    }
}
