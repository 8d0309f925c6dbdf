import ArgumentParser
import Journal

/// `infinity journal dump`: print records.
struct JournalDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print journal records, oldest first.",
        discussion: """
            NDJSON has one object per record with every stored field; nothing else about a visitor \
            exists. Damaged or missing journal data is stepped over: what can be read is printed, each \
            missing range of records is named on standard error, and the exit status is then 1. \
            Example: infinity journal dump --from 1000 --limit 20 --format ndjson
            """
    )

    @OptionGroup var options: DataOptions

    @Option(help: ArgumentHelp("First sequence number to print. Example: --from 1000", valueName: "seq"))
    var from: UInt64 = 0

    @Option(help: ArgumentHelp("Print at most this many records. Example: --limit 20", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Only records of this site. Example: --site example.com", valueName: "domain"))
    var site: String?

    @Option(help: "ndjson (one JSON object a line) or table. Default: table on a terminal, ndjson otherwise.")
    var format: DumpFormat?

    enum DumpFormat: String, ExpressibleByArgument, CaseIterable {
        case ndjson, table
    }

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more, not \(limit)") }
    }

    func run() throws {
        let format = self.format ?? (Terminal.stdoutIsTerminal ? .table : .ndjson)
        var blocks = try JournalReader(directory: options.journal).blocks(
            BlockSelection(from: from, site: site), skipDamaged: true)
        var remaining = limit ?? Int.max
        var out = StandardOutput()
        var table = TextTable(
            ["seq", "time (UTC)", "site", "event", "page", "source", "country", "browser", "os", "device"],
            rightAligned: [0])
        defer { out.flush() }
        while remaining > 0, let block = try blocks.next() {
            for index in 0..<block.count where remaining > 0 {
                let sequence = block.sequence(at: index)
                guard sequence >= from else { continue }
                if let site, block.column(.site)[index] != site { continue }
                let hit = block[index]
                switch format {
                case .ndjson: out.write(Self.json(hit, sequence: sequence) + "\n")
                case .table:
                    table.add([
                        "\(sequence)", Format.timestamp(hit.timestamp), hit.site, hit.name, hit.pathname,
                        hit.source.isEmpty ? "Direct" : hit.source, hit.country.isEmpty ? "–" : hit.country,
                        "\(hit.browser) \(hit.browserVersion)", "\(hit.os) \(hit.osVersion)", hit.device.description,
                    ])
                }
                remaining -= 1
            }
        }
        if format == .table { out.write(table.render()) }
        out.flush()
        guard blocks.damaged.isEmpty else {
            let advice =
                "put the damaged or missing segment back from a backup; `infinity journal verify` lists every damaged place"
            if blocks.damaged.count == 1, let range = blocks.damaged.first {
                Terminal.writeError("infinity: \(range) — \(range.file); \(advice).\n")
            } else {
                for range in blocks.damaged { Terminal.writeError("infinity: \(range) — \(range.file)\n") }
                let lost = blocks.damaged.reduce(0) { $0 + $1.lostRecords }
                Terminal.writeError("infinity: \(lost) records could not be printed: \(advice).\n")
            }
            throw ExitCode(1)
        }
    }

    /// One record as a JSON object with every field, keys in a fixed order; without a sequence
    /// number, neither it nor the visitor id is written (what `infinity export` gives away).
    static func json(_ hit: Hit, sequence: UInt64?) -> String {
        var object = JSONObject()
        if let sequence { object.add("seq", sequence) }
        object.add("timestamp", hit.timestamp)
        object.add("time", Format.timestamp(hit.timestamp))
        object.add("site", hit.site)
        object.add("name", hit.name)
        object.add("hostname", hit.hostname)
        object.add("pathname", hit.pathname)
        object.add("referrer", hit.referrer)
        object.add("source", hit.source)
        object.add("channel", hit.channel.description)
        object.add("utm_source", hit.utm.source)
        object.add("utm_medium", hit.utm.medium)
        object.add("utm_campaign", hit.utm.campaign)
        object.add("utm_content", hit.utm.content)
        object.add("utm_term", hit.utm.term)
        object.add("country", hit.country)
        object.add("browser", hit.browser)
        object.add("browser_version", hit.browserVersion)
        object.add("os", hit.os)
        object.add("os_version", hit.osVersion)
        object.add("device", hit.device.description)
        object.add("screen", hit.screen.description)
        if sequence != nil {
            // 48 bits (`Hit.visitorIDBits`): twelve hex digits.
            let hex = String(hit.visitorID, radix: 16)
            object.add("visitor_id", String(repeating: "0", count: max(0, 12 - hex.count)) + hex)
        }
        var props = JSONObject()
        for property in hit.props { props.add(property.key, property.value) }
        object.addRaw("props", props.json)
        if let revenue = hit.revenue {
            var amount = JSONObject()
            amount.add("amount", revenue.amount)
            amount.add("currency", revenue.currency)
            object.addRaw("revenue", amount.json)
        } else {
            object.addRaw("revenue", "null")
        }
        object.add("interactive", !hit.flags.contains(.nonInteractive))
        object.add("imported", hit.flags.contains(.imported))
        return object.json
    }
}
