import ArgumentParser
import Foundation
import Projections
import Server

/// `infinity import plausible|analytics|list|remove`: daily aggregates from the tool a site used
/// before, kept beside the journal and added to answers (`include.imports`).
struct ImportHistoryCommand {
    static func store(_ options: DataOptions) throws -> ImportedStore {
        do {
            return try ImportedStore(folder: options.data)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Reads `paths`, stores them as one import of `domain`, and says what happened.
    static func run(_ format: AggregateImport.Format, paths: [String], domain: String, options: DataOptions) throws {
        try options.requireOwner()
        let site = try GoalsCommand.site(domain, options: options)
        let store = try store(options)
        do {
            let read = try AggregateImport.read(format, paths: paths)
            // A data folder that never had a journal (history imported before the first start)
            // gets an empty one, as `serve` would make, so queries can read it.
            try FileManager.default.createDirectory(atPath: options.journal.path, withIntermediateDirectories: true)
            let native = try options.worker().daysWithHits(site: site)
            let outcome = try store.add(
                site: site, source: format.rawValue, files: read.files, rows: read.rows, nativeDays: native)
            for name in read.ignored { print("Left alone: \(name) (not a table of the export)") }
            switch outcome {
            case .alreadyImported(let record):
                print(
                    "These numbers were imported already, as import \(record.id) (\(record.importedAt)); nothing was added."
                )
            case .added(let record, let skipped):
                let rows = record.tables.reduce(0) { $0 + $1.rows }
                var table = TextTable(["table", "first day", "last day", "rows"], rightAligned: [3])
                for span in record.tables {
                    table.add([span.table, span.first, span.last, Format.count(Double(span.rows))])
                }
                print(
                    "Imported \(Format.count(Double(rows))) rows of \(site) from \(read.files.joined(separator: ", ")) as import \(record.id):"
                )
                print(table.render().trimmingCharacters(in: .newlines))
                if let first = skipped.first, let last = skipped.last {
                    print(
                        "Left out \(skipped.count) day\(skipped.count == 1 ? "" : "s") on which \(site) already has hits (\(DayKey.isoDate(first)) … \(DayKey.isoDate(last))): its own numbers count there."
                    )
                }
                print(
                    "Answers include imported days unless asked not to (`infinity query \(site) --no-imported`, or the dashboard's \"Imported data\" switch); a running server sees them within a second."
                )
            }
        } catch let error as ProjectionError {
            throw CommandFailure("\(error)")
        } catch let error as ServerError {
            throw CommandFailure("\(error)")
        }
    }

    struct Plausible: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plausible",
            abstract: "Import Plausible's CSV export (its zip or imported_*.csv files) as imported days.",
            discussion: """
                Reads the tables Plausible's "Imports & Exports" page exports (visitors, sources, \
                pages, entry and exit pages, custom events, locations, devices, browsers, operating \
                systems). Days on which the site already has hits are left out. The numbers stay \
                beside the journal and are added to answers for those days; `infinity import remove` \
                takes them out again. Exactly once: the same export again adds nothing, and an \
                export overlapping an earlier import's days is refused. Safe while `infinity serve` \
                runs. Docs/import.md lists how each column is read.

                Examples:
                  infinity import plausible plausible-export.zip --site example.com
                  infinity import plausible ./unzipped-export/ --site example.com
                """)

        @OptionGroup var options: DataOptions

        @Argument(help: "The export's zip, its CSV files, or a folder holding them.")
        var files: [String]

        @Option(
            help: ArgumentHelp("The registered site to add them to. Example: --site example.com", valueName: "domain"))
        var site: String

        func validate() throws {
            if files.isEmpty { throw ValidationError("name the export's zip or its CSV files") }
        }

        func run() throws { try ImportHistoryCommand.run(.plausibleCSV, paths: files, domain: site, options: options) }
    }

    struct Analytics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "analytics",
            abstract: "Import Google Analytics-style daily reports (CSV, one dimension per file) as imported days.",
            discussion: """
                Each file is one report with a Date column (20261101 or 2026-11-01), at most one \
                dimension (page path, landing page, source/medium, country, device category, \
                browser, operating system or event name) and counts (users, sessions, views, \
                bounce rate or engaged sessions, average session duration, event count). A report \
                without a dimension gives the daily totals. Give all reports of one period in one \
                run. Sources are named as the site's own visits name them (google → Google). See \
                Docs/import.md for every column read.

                Examples:
                  infinity import analytics totals.csv pages.csv sources.csv --site example.com
                """)

        @OptionGroup var options: DataOptions

        @Argument(help: "The report CSV files (or a folder holding them).")
        var files: [String]

        @Option(
            help: ArgumentHelp("The registered site to add them to. Example: --site example.com", valueName: "domain"))
        var site: String

        func validate() throws {
            if files.isEmpty { throw ValidationError("name the report CSV files") }
        }

        func run() throws { try ImportHistoryCommand.run(.analyticsCSV, paths: files, domain: site, options: options) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the imports of aggregated history.",
            discussion: """
                Examples:
                  infinity import list
                  infinity import list example.com
                """)

        @OptionGroup var options: DataOptions

        @Argument(help: "Only this site's imports.")
        var site: String?

        func run() throws {
            let records = try ImportHistoryCommand.store(options).imports(of: site?.lowercased())
            guard !records.isEmpty else {
                print(
                    "No imports\(site.map { " of \($0)" } ?? ""). Bring history in with `infinity import plausible` or `infinity import analytics`."
                )
                return
            }
            var table = TextTable(
                ["id", "site", "format", "days", "tables", "imported at", "files"], rightAligned: [0])
            for record in records {
                let first = record.tables.map(\.first).min() ?? "", last = record.tables.map(\.last).max() ?? ""
                table.add([
                    "\(record.id)", record.site, record.source, "\(first) … \(last)",
                    record.tables.count == 1 ? record.tables[0].table : "\(record.tables.count) tables",
                    record.importedAt,
                    record.files.joined(separator: ", "),
                ])
            }
            print(table.render().trimmingCharacters(in: .newlines))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove one import of aggregated history (its numbers leave every answer).",
            discussion: """
                Examples:
                  infinity import list example.com
                  infinity import remove example.com 2
                """)

        @OptionGroup var options: DataOptions

        @Argument(help: "The site.")
        var site: String

        @Argument(help: "The import's id (see `infinity import list`).")
        var id: Int

        func run() throws {
            try options.requireOwner()
            let store = try ImportHistoryCommand.store(options)
            let removed: ImportRecord?
            do {
                removed = try store.remove(site: site.lowercased(), id: id)
            } catch {
                throw CommandFailure("\(error)")
            }
            guard let removed else {
                throw CommandFailure("\(site) has no import \(id); see `infinity import list \(site)`")
            }
            print("Removed import \(removed.id) of \(removed.site) (\(removed.files.joined(separator: ", "))).")
        }
    }
}
