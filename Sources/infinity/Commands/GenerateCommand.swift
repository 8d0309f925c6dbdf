import ArgumentParser
import Foundation
import Ingest
import Journal

/// `infinity generate`: realistic synthetic traffic, written straight into the journal.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic traffic into the journal, for demos, tests and benchmarks.",
        discussion: """
            Sessions of several page views from daily visitors, power-law page popularity, a realistic \
            mix of referrers, campaigns, countries, browsers and devices, a daytime peak in each site's \
            local time, and custom events with properties and revenue. The same --seed always writes \
            the same records.
            Example: infinity generate --site example.com --site shop.example@America/New_York --days 30 --hits-per-day 10000
            """
    )

    @OptionGroup var options: DataOptions

    @Option(
        name: .customLong("site"),
        help: ArgumentHelp(
            "A site to generate for, as DOMAIN or DOMAIN@TIMEZONE (an IANA zone or a UTC offset); repeat for several. Example: --site example.com@Europe/Berlin",
            valueName: "domain[@zone]"))
    var sites: [String] = ["example.com"]

    @Option(help: ArgumentHelp("Number of days. Example: --days 30", valueName: "n"))
    var days: Int = 30

    @Option(help: ArgumentHelp("Hits per site per day (about). Example: --hits-per-day 10000", valueName: "n"))
    var hitsPerDay: Int = 10_000

    @Option(
        help: ArgumentHelp(
            "Seed of the random traffic; the same seed writes the same records. Example: --seed 7", valueName: "n"))
    var seed: UInt64 = 42

    @Option(
        help: ArgumentHelp(
            "First day (UTC date), default: --days days before today. Example: --start 2026-11-01",
            valueName: "yyyy-mm-dd"))
    var start: String?

    @Option(
        help:
            "When blocks are flushed to the disk: block (fsync each block, the default), second (fsync within a second of each block) or none (leave it to the OS)."
    )
    var sync: CommitPolicy.Sync = .everyBlock

    @Option(
        help: ArgumentHelp(
            "Records per block, 1 to 1048576 (default 8192, what bulk writes use). A small number imitates a live server's group commits, to try `journal compact`. Example: --block-records 20",
            valueName: "n"))
    var blockRecords: Int = 8192

    @Option(
        help: ArgumentHelp(
            "The share of page views, 0 to 1, whose time on page and scroll depth the tracker reports (engagement reports; default 0). Example: --engagement 0.6",
            valueName: "share"))
    var engagement: Double = 0

    @Option(
        help:
            "Progress output: auto (a bar on a terminal), ndjson (a {\"durable\":N} line whenever more records are durable), or none."
    )
    var progress: ProgressMode = .auto

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, ndjson, none
    }

    func validate() throws {
        guard (0...1).contains(engagement) else {
            throw ValidationError("--engagement is a share from 0 to 1, not \(engagement)")
        }
        guard (1...36_525).contains(days) else {
            throw ValidationError("--days must be between 1 and 36525, not \(days)")
        }
        guard (1...100_000_000).contains(hitsPerDay) else {
            throw ValidationError("--hits-per-day must be between 1 and 100000000, not \(hitsPerDay)")
        }
        guard !sites.isEmpty else { throw ValidationError("name at least one --site") }
        guard (1...BlockEncoder.maxRecords).contains(blockRecords) else {
            throw ValidationError("--block-records must be 1 to \(BlockEncoder.maxRecords), not \(blockRecords)")
        }
        if let start, Format.parseDate(start) == nil {
            throw ValidationError("--start must be a date like 2026-11-01, not '\(start)'")
        }
        for site in sites { _ = try Self.parseSite(site, on: 0) }
    }

    /// `example.com@Europe/Berlin` → a generator site with that zone's offset on `day`.
    static func parseSite(_ text: String, on day: Int64) throws -> TrafficGenerator.Site {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        let domain = parts[0].lowercased()
        guard !domain.isEmpty, domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
            throw ValidationError(
                "'\(parts.first ?? "")' is not a domain; write --site example.com or --site example.com@Europe/Berlin")
        }
        guard parts.count == 2 else { return TrafficGenerator.Site(domain: domain) }
        let zoneName = parts[1]
        let zone: TimeZone?
        if let first = zoneName.first, first == "+" || first == "-" {
            let digits = zoneName.dropFirst().split(separator: ":")
            let hours = Int(digits.first ?? "") ?? -1
            let minutes = digits.count > 1 ? Int(digits[1]) ?? -1 : 0
            zone =
                (0...14).contains(hours) && (0...59).contains(minutes)
                ? TimeZone(secondsFromGMT: (first == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)) : nil
        } else {
            zone = TimeZone(identifier: zoneName)
        }
        guard let zone else {
            throw ValidationError(
                "unknown time zone '\(zoneName)' in --site \(text); use a name like Europe/Berlin or an offset like +05:30"
            )
        }
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(day) * 86_400)) / 60
        return TrafficGenerator.Site(domain: domain, utcOffsetMinutes: offset)
    }

    func run() async throws {
        try options.requireOwner()
        let today = Int64(Date().timeIntervalSince1970 / 86_400)
        let firstDayNumber = start.flatMap(Format.parseDate) ?? (today - Int64(days))
        let firstDay = firstDayNumber * 86_400_000
        var generator = TrafficGenerator(
            sites: try sites.map { try Self.parseSite($0, on: firstDayNumber) }, seed: seed)
        generator.engagement = engagement
        try registerSites()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(
                directory: options.journal.path, commit: CommitPolicy(maxRecords: blockRecords, sync: sync),
                classifiers: ["generator": "infinity-generate/1 seed=\(seed)"]),
            logger: Infinity.makeLogger())
        let maxRecords = writer.configuration.commit.maxRecords
        var bar = ProgressBar(
            title: "generate", total: Double(days + 2), unit: "days",
            enabled: progress == .auto && Terminal.stderrIsTerminal)
        var reported: UInt64 = writer.durableSequence
        let startSequence = reported
        let began = Terminal.seconds()
        var total = 0
        func report() {
            let durable = writer.durableSequence
            if progress == .ndjson, durable > reported {
                Terminal.writeOutput("{\"durable\":\(durable)}\n")
            }
            reported = durable
        }
        for (done, utcDay) in (-1...days).enumerated() {
            let hits = generator.hits(utcDay: utcDay, firstDay: firstDay, days: days, countPerSite: hitsPerDay)
            var index = 0
            while index < hits.count {
                let chunk = Array(hits[index..<min(index + maxRecords, hits.count)])
                do {
                    try writer.enqueue(chunk)
                    index += chunk.count
                } catch let error as JournalError where error.code == .overloaded {
                    try await writer.flush()  // let the disk catch up, then retry the same chunk
                }
                report()
            }
            total += hits.count
            bar.update(done: Double(done + 1), count: Double(total), countUnit: "hits")
        }
        try await writer.flush()
        report()
        try await writer.close()
        bar.finish()
        let elapsed = Terminal.seconds() - began
        if progress != .ndjson {
            let written = writer.durableSequence - startSequence
            print(
                "Wrote \(written) hits for \(sites.count) site\(sites.count == 1 ? "" : "s") over \(days) days "
                    + "(from \(Format.date(days: firstDayNumber))) to \(options.journal.path) in \(Format.decimal(elapsed)) s "
                    + "(\(Format.count(Double(written) / max(elapsed, 0.001)))/s). See them with: infinity journal stat --data \(options.data)"
            )
        }
    }
}

extension GenerateCommand {
    /// Registers the generated sites that are not registered yet, with their zones, so that their
    /// days are counted where the traffic was made.
    func registerSites() throws {
        let store = try SiteStore(path: options.data + "/sites.json")
        for text in sites {
            let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
            let domain = parts[0].lowercased()
            guard store.site(for: domain) == nil else { continue }
            var zone = parts.count == 2 ? parts[1] : "UTC"
            if let first = zone.first, first == "+" || first == "-" {
                let site = try Self.parseSite(text, on: 0)
                zone = TimeZone(secondsFromGMT: site.utcOffsetMinutes * 60)?.identifier ?? "UTC"
            }
            let entry = try store.add(domain: domain, timezone: zone)
            Terminal.writeError("Registered \(entry.domain) (days counted in \(entry.timezone)).\n")
        }
    }
}

extension CommitPolicy.Sync: ExpressibleByArgument {}
