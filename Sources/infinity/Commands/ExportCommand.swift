import ArgumentParser
import Foundation
import Ingest
import Journal
import Projections
import Query
import Server

/// `infinity export`: a site's anonymized hits as NDJSON or CSV, to keep or to move elsewhere.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Export a site's hits (anonymized, as stored) as NDJSON or CSV, or its daily numbers as Plausible's CSV zip.",
        discussion: """
            One line per hit in the site's days of --range (its time zone): time, page, event, referrer, \
            source, channel, UTM fields, country, browser, OS, device, screen, properties, revenue, and \
            whether it was imported. No client address, user agent or visitor id is in it \
            (Docs/privacy.md). With --format plausible-csv, a zip of the site's numbers per day in the \
            tables of Plausible's CSV export (visitors, sources, pages, entry and exit pages, custom \
            events, countries, devices, browsers, systems), which Plausible imports. Runs beside \
            `infinity serve`.
            Examples:
              infinity export example.com --range 2026-01-01..2026-11-30 --format plausible-csv --output plausible.zip
              infinity export example.com --range 2026-11-01..2026-11-30 --format csv --output november.csv
              infinity export example.com --range all > example.ndjson
            """)

    @OptionGroup var options: DataOptions

    @Argument(help: "The site's domain. Example: example.com")
    var site: String

    @Option(
        help: ArgumentHelp(
            "today, yesterday, 7d, 30d, month, last-month, 12mo, year, all, or FROM..TO dates. Example: --range 2026-11-01..2026-11-30",
            valueName: "range"))
    var range = "all"

    @Option(
        help:
            "ndjson (one JSON object a line), csv, or plausible-csv (a zip of daily tables; needs --output). Example: --format csv"
    )
    var format: ExportFormat = .ndjson

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, csv, parquet
        case plausibleCSV = "plausible-csv"
    }

    /// The CSV columns, in order.
    static let columns = [
        "time", "site", "hostname", "pathname", "name", "referrer", "source", "channel", "utm_source", "utm_medium",
        "utm_campaign", "utm_content", "utm_term", "country", "browser", "browser_version", "os", "os_version",
        "device", "screen", "props", "revenue_amount", "revenue_currency", "interactive", "imported",
    ]

    func run() throws {
        let sites = try SiteStore(path: options.data + "/sites.json")
        let domain = try SiteStore.normalise(site)
        guard let registered = sites.site(for: domain) else {
            throw CommandFailure(
                "\(domain) is not a registered site; registered: \(sites.entries.map(\.domain).joined(separator: ", "))"
            )
        }
        var clock = LocalClock(zone: registered.timeZone)
        let dateRange: DateRange
        do {
            dateRange = try DateRange(parsing: range, zone: clock)
        } catch let error as QueryError {
            throw CommandFailure("--range: \(error.message)")
        }
        if format == .parquet && output == nil {
            throw CommandFailure("--format parquet writes a file; name it with --output FILE.parquet")
        }
        let sink: FileHandle
        if let output, format != .parquet {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw CommandFailure("cannot write \(output); check the folder exists and is writable")
            }
            sink = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            sink = FileHandle.standardOutput
        }
        var parquet: HitParquetExport?
        if format == .parquet, let output {
            do {
                parquet = try HitParquetExport(path: output)
            } catch {
                throw CommandFailure("cannot write \(output); check the folder exists and is writable")
            }
        }
        // A journal not written yet holds no hits: the export is empty, not an error.
        let hasJournal = FileManager.default.fileExists(atPath: options.journal.path)
        let stats = hasJournal ? try JournalStats(directory: options.journal) : nil
        let today = clock.day(of: Int64(Date().timeIntervalSince1970 * 1000))
        let firstDay = stats?.timeSpan.map { clock.day(of: $0.lowerBound) }
        let days = dateRange.days(today: today, firstDay: firstDay, clock: clock)
        if format == .plausibleCSV {
            try exportAggregates(domain: domain, days: days)
            return
        }
        var buffer = ""
        func emit(_ line: String) throws {
            buffer += line
            buffer += "\n"
            if buffer.utf8.count >= 1 << 20 {
                try sink.write(contentsOf: Data(buffer.utf8))
                buffer = ""
            }
        }
        if format == .csv { try emit(Self.columns.joined(separator: ",")) }
        var exported = 0
        var hits = SiteHits(
            journal: options.journal, site: domain, days: days, clock: clock,
            erasedBelow: try SiteErasures(dataDirectory: options.data).limits[domain] ?? 0)
        let damaged =
            try hasJournal
            ? hits.forEach { hit in
                if parquet != nil {
                    try parquet!.add(hit)
                } else {
                    try emit(format == .csv ? Self.csv(hit) : JournalDumpCommand.json(hit, sequence: nil))
                }
                exported += 1
            } : []
        if parquet != nil {
            try parquet!.finish()
        } else {
            try sink.write(contentsOf: Data(buffer.utf8))
            if output != nil { try sink.close() }
        }
        Terminal.writeError(
            "Exported \(exported) hits of \(domain), \(DayKey.isoDate(days.lowerBound))..\(DayKey.isoDate(days.upperBound))"
                + (output.map { " to \($0)" } ?? "") + ".\n")
        for damage in damaged {
            Terminal.writeError(
                "note: records \(damage.firstSequence)..<\(damage.endSequence) are unreadable and not in the export\n")
        }
    }

    /// The zip of daily tables Plausible imports, into --output.
    private func exportAggregates(domain: String, days: ClosedRange<Int64>) throws {
        guard let output else {
            throw CommandFailure("--format plausible-csv writes a zip file; name it with --output FILE.zip")
        }
        let engine = QueryEngine(worker: try options.worker(), imported: try ImportHistoryCommand.store(options))
        let archive: [UInt8]
        do {
            archive = try PlausibleExport.zip(site: domain, days: days, engine: engine)
        } catch let error as QueryError {
            throw CommandFailure(error.description)
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(archive)) else {
            throw CommandFailure("cannot write \(output); check the folder exists and is writable")
        }
        Terminal.writeError(
            "Exported the daily numbers of \(domain), \(DayKey.isoDate(days.lowerBound))..\(DayKey.isoDate(days.upperBound)), as Plausible's CSV tables to \(output) (\(Format.bytes(Int64(archive.count)))).\n"
        )
    }

    static func csv(_ hit: Hit) -> String {
        var props = JSONObject()
        for property in hit.props { props.add(property.key, property.value) }
        let fields = [
            Format.timestamp(hit.timestamp), hit.site, hit.hostname, hit.pathname, hit.name, hit.referrer, hit.source,
            hit.channel.description, hit.utm.source, hit.utm.medium, hit.utm.campaign, hit.utm.content, hit.utm.term,
            hit.country, hit.browser, hit.browserVersion, hit.os, hit.osVersion, hit.device.description,
            hit.screen.description, hit.props.isEmpty ? "" : props.json, hit.revenue.map { String($0.amount) } ?? "",
            hit.revenue?.currency ?? "", String(!hit.flags.contains(.nonInteractive)),
            String(hit.flags.contains(.imported)),
        ]
        var line = CSVWriter(capacity: 256)
        for field in fields { line.field(field, spreadsheetSafe: true) }
        return String(decoding: line.bytes, as: UTF8.self)
    }
}
