import ArgumentParser
import Dispatch
import Foundation
import Ingest
import Journal
import Synchronization

/// `infinity import …`: history from other sources.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Import history: access logs into the journal, other tools' daily aggregates beside it (exactly once).",
        subcommands: [
            AccessLog.self, ImportHistoryCommand.Plausible.self, ImportHistoryCommand.Analytics.self,
            ImportHistoryCommand.List.self, ImportHistoryCommand.Remove.self,
        ]
    )

    /// Set by SIGINT; polled between lines.
    static let interrupted = Mutex(false)

    struct AccessLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "access-log",
            abstract: "Import web-server access logs (nginx, Apache, Caddy): page views become imported hits.",
            discussion: """
                Each line goes through the same anonymization as live hits (bots and spam dropped, the \
                address used for the country and a daily visitor id, then forgotten). Only page views \
                count: GET requests answered 2xx for paths without an extension or with an HTML one \
                (html, htm, php, asp, aspx, jsp, shtml, xhtml, cgi); assets, other methods, redirects \
                and errors are counted by reason and skipped (see Docs/import.md).

                Exactly once: importing the same lines again (the same file, a rotated or \
                concatenated one) adds nothing, and an import stopped with Ctrl-C or a crash continues \
                where it stopped when run again. While `infinity serve` runs on the same data folder, \
                the hits are handed to it (through data/spool) and it stores them between live hits; \
                the command returns once it has. Otherwise the import writes the journal itself and \
                folds the imported days into the rollups.

                Examples:
                  infinity import access-log /var/log/nginx/access.log* --site example.com
                  zcat old.log.gz | infinity import access-log - --site example.com --format combined
                  infinity import access-log caddy.json --site example.com --format caddy-json --geoip GeoLite2-Country.mmdb
                """)

        @OptionGroup var options: DataOptions

        @Argument(help: "Log files: plain, .gz, or - for standard input.")
        var files: [String]

        @Option(
            help: ArgumentHelp(
                "The registered site the log belongs to. Example: --site example.com", valueName: "domain"))
        var site: String

        @Option(
            help: "combined, common, combined-vhost, caddy-json, nginx-json, or auto (decide from the first lines).")
        var format: AccessLogFormat = .auto

        @Option(
            help: ArgumentHelp(
                "Zone for timestamps written without an offset (default: the site's). Example: --timezone Europe/Berlin",
                valueName: "zone"))
        var timezone: String?

        @Option(
            help: ArgumentHelp(
                "A MaxMind DB country database (default: the one infinity ships, DB-IP Country Lite; none turns countries off). Example: --geoip GeoLite2-Country.mmdb",
                valueName: "file"))
        var geoip: String?

        @Option(
            help: ArgumentHelp(
                "Statuses that count as page views (default 200-299). Example: --statuses 200-299", valueName: "from-to"
            ))
        var statuses: String?

        @Option(
            help: ArgumentHelp(
                "Path extensions that are pages, comma-separated; an empty item means no extension. Example: --page-extensions ,html,php",
                valueName: "list"))
        var pageExtensions: String?

        @Option(help: .hidden) var stopAfterLines: Int?

        @Option(help: "Progress output: auto (a bar on a terminal) or none.")
        var progress: ProgressMode = .auto

        @Option(help: "The summary as text (for people) or json (for scripts).")
        var summary: SummaryFormat = .text

        enum SummaryFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

        enum ProgressMode: String, ExpressibleByArgument, CaseIterable { case auto, none }

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one log file (or - for standard input)") }
            if let statuses {
                let parts = statuses.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2, parts[0] <= parts[1], (100...999).contains(parts[0]) else {
                    throw ValidationError("--statuses must look like 200-299, not '\(statuses)'")
                }
            }
        }

        func run() throws {
            try options.requireOwner(importing: files, site: site)
            let sites = try SiteStore(path: options.data + "/sites.json")
            guard let registered = sites.site(for: site.lowercased()) else {
                let known = sites.entries.map(\.domain).joined(separator: ", ")
                throw CommandFailure(
                    "'\(site)' is not a registered site (registered: \(known.isEmpty ? "none" : known)); add it with `infinity sites add \(site) --timezone Area/City`"
                )
            }
            var rules = PageRules()
            if let statuses {
                let parts = statuses.split(separator: "-").compactMap { Int($0) }
                rules.statuses = parts[0]...parts[1]
            }
            if let pageExtensions {
                rules.pageExtensions = Set(
                    pageExtensions.split(separator: ",", omittingEmptySubsequences: false).map {
                        $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")).lowercased()
                    })
            }
            var zone = registered.timeZone
            if let timezone {
                guard let parsed = TimeZone(identifier: timezone) else {
                    throw CommandFailure("unknown time zone '\(timezone)'; use an IANA name such as Europe/Berlin")
                }
                zone = parsed
            }
            // As `serve`: the shipped database unless another (or none) is named.
            let database = try ShippedGeoIP.resolve(geoip ?? ProcessInfo.processInfo.environment["INFINITY_GEOIP"])
                .map { try MaxMindDatabase(path: $0) }
            let logger = Infinity.makeLogger()
            let configuration = SpoolHandOff.journalConfiguration(options.journal.path)
            let classifiers = configuration.classifiers
            let spool = JournalSpool(dataDirectory: options.data)
            let handOff = SpoolHandOff(
                spool: spool, journal: configuration, logger: logger,
                shouldStop: { ImportCommand.interrupted.withLock { $0 } })
            let writer: JournalWriter?
            do {
                writer = try JournalWriter(configuration: configuration, logger: logger)
            } catch let error as JournalError where error.code == .locked {
                writer = nil  // serve holds the journal: the hits go to it through the spool
            }
            defer { try? writer?.closeBlocking() }
            let destination: ImportDestination
            if let writer {
                // What an earlier import spooled for a server that stopped is stored first.
                try SpoolConsumer(spool: spool, writer: writer, logger: logger).consumeAll()
                destination = .journal(writer)
            } else {
                FileHandle.standardError.write(
                    Data("infinity serve is running: the imported hits are handed to it to store.\n".utf8))
                destination = .spool(
                    spool, journal: options.journal.path, classifiers: classifiers,
                    room: { try handOff.waitForRoom($0) })
            }
            let importer = try AccessLogImporter(
                dataDirectory: options.data, destination: destination,
                options: AccessLogImporter.Options(
                    site: registered, format: format, rules: rules,
                    defaultOffset: Int64(zone.secondsFromGMT()) * 1000, geoip: database, stopAfterLines: stopAfterLines),
                logger: logger)
            signal(SIGINT, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            source.setEventHandler { ImportCommand.interrupted.withLock { $0 = true } }
            source.resume()
            var bar = ProgressBar(
                title: "import", total: 1, unit: "of the file",
                enabled: progress == .auto && Terminal.stderrIsTerminal)
            let began = Terminal.seconds()
            let (summary, ending) = try importer.run(
                files: files,
                progress: { state in
                    let fraction = state.size.map { Double(state.bytes) / Double(max($0, 1)) } ?? 0
                    bar.update(done: fraction, count: Double(state.lines), countUnit: "lines")
                },
                shouldStop: { ImportCommand.interrupted.withLock { $0 } })
            if let writer {
                // A batch an earlier run left unpublished, and published when this one began.
                try SpoolConsumer(spool: spool, writer: writer, logger: logger).consumeAll()
            } else if !importer.spooled.isEmpty {
                bar.finish()
                let batches = importer.spooled.count
                bar = ProgressBar(
                    title: "stored by serve", total: 1, unit: "of the batches",
                    enabled: progress == .auto && Terminal.stderrIsTerminal)
                try handOff.waitUntilTaken(importer.spooled) {
                    bar.update(done: Double($0) / Double(batches), count: Double($0), countUnit: "batches")
                }
                if ImportCommand.interrupted.withLock({ $0 }), self.summary == .text {
                    print(
                        "Stopped waiting for infinity serve; the batches handed to it stay in \(spool.directory) and are stored by it."
                    )
                }
            }
            bar.finish()
            try writer?.closeBlocking()
            let seconds = Terminal.seconds() - began
            print(
                self.summary == .json
                    ? Self.json(summary, seconds: seconds, ending: ending, storedByServer: writer == nil)
                    : Self.describe(summary, seconds: seconds))
            if summary.pageviews > 0, writer == nil {
                if self.summary == .text {
                    print(
                        "Stored through the running server; its rollups take them in within seconds (queries count them now)."
                    )
                }
            } else if summary.pageviews > 0 {
                // Fold the imported days now, so that queries and the dashboard show them at once.
                let folded = try options.worker().catchUp()
                if self.summary == .text {
                    print(
                        folded.rebuilt
                            ? "Built the rollups, imported days included."
                            : "Folded the imported hits into \(folded.days.count) site-day rollup\(folded.days.count == 1 ? "" : "s")."
                    )
                }
            }
            if ending == .interrupted {
                if self.summary == .text {
                    print(
                        "Interrupted after \(summary.lines) lines; everything before is saved. Run the same command again to continue."
                    )
                }
                throw ExitCode(130)
            }
        }

        static func json(
            _ summary: ImportSummary, seconds: Double, ending: AccessLogImporter.Ending, storedByServer: Bool
        ) -> String {
            var object = JSONObject()
            object.add("lines", Int64(summary.lines))
            object.add("pageviews", Int64(summary.pageviews))
            var skipped = JSONObject()
            for reason in ImportSummary.Reason.allCases {
                skipped.add(reason.rawValue, Int64(summary.skipped[reason] ?? 0))
            }
            object.addRaw("skipped", skipped.json)
            object.addRaw(
                "malformed_lines", "[" + summary.malformedExamples.map { String($0.line) }.joined(separator: ",") + "]")
            if let first = summary.firstTime, let last = summary.lastTime {
                object.add("first", Format.timestamp(first))
                object.add("last", Format.timestamp(last))
            }
            object.add("seconds", seconds)
            object.add("complete", ending == .complete)
            object.add("stored_by_server", storedByServer)
            return object.json
        }

        static func describe(_ summary: ImportSummary, seconds: Double) -> String {
            var lines = [
                "Read \(summary.lines) lines in \(Format.decimal(seconds)) s (\(Format.count(Double(summary.lines) / max(seconds, 0.001))) lines/s); imported \(summary.pageviews) page views."
            ]
            if let first = summary.firstTime, let last = summary.lastTime {
                lines.append("Time span: \(Format.timestamp(first)) – \(Format.timestamp(last))")
            }
            var table = TextTable(["skipped", "lines"], rightAligned: [1])
            for reason in ImportSummary.Reason.allCases {
                if let count = summary.skipped[reason], count > 0 { table.add([reason.rawValue, "\(count)"]) }
            }
            if !table.rows.isEmpty { lines.append(table.render().trimmingCharacters(in: .newlines)) }
            for example in summary.malformedExamples {
                lines.append("malformed: \(example.file) line \(example.line): \(example.reason)")
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension AccessLogFormat: ExpressibleByArgument {}
