import Foundation
import Journal
import Projections

/// DuckDB (from PyPI, in the project's `.build/oracle`) holding the same records as a journal in a
/// native table, answering SQL in a long-lived process so that each benchmark iteration measures
/// one query. The table is loaded once per data folder and kept in `<folder>/hits.duckdb`.
public final class DuckDB: @unchecked Sendable {
    // @unchecked: the pipes are used by one benchmark at a time (the harness runs them in order),
    // and `query` holds `lock` for each round trip.
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var buffer = Data()
    /// What DuckDB said about itself when it was ready (version, threads, rows).
    public private(set) var about = ""

    /// The repository's root (this file is `Benchmarks/Benchmarks/BenchmarkSupport/DuckDB.swift`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Starts DuckDB over the journal of `folder`, exporting its records first if needed.
    public init(folder: String, calendar: SiteCalendar) throws {
        let python = Self.root + "/.build/oracle/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            fatalError("DuckDB is not installed in \(python): run `make oracle` in the repository first")
        }
        let database = folder + "/hits.duckdb"
        let csv = folder + "/hits.csv"
        if !FileManager.default.fileExists(atPath: database) {
            try Self.export(folder: folder, calendar: calendar, to: csv)
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.root + "/Benchmarks/query/duckdb_server.py", database, csv]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        about = readLine()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The rows of `sql`, values as text.
    public func query(_ sql: String) throws -> [[String]] {
        lock.lock()
        defer { lock.unlock() }
        let request = try JSONSerialization.data(withJSONObject: ["sql": sql]) + Data("\n".utf8)
        try input.fileHandleForWriting.write(contentsOf: request)
        let line = readLine()
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let rows = object["rows"] as? [[String]]
        else { fatalError("DuckDB answered: \(line)") }
        return rows
    }

    private func readLine() -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else { fatalError("DuckDB stopped (see its error above)") }
            buffer.append(more)
        }
    }

    /// Writes every journal record as a CSV row with its site-local day.
    static func export(folder: String, calendar: SiteCalendar, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        var text = "day,ts,visitor,name,pathname,source,channel,country,browser,os,device\n"
        func field(_ value: String) -> String { "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var clocks: [String: LocalClock] = [:]
        var blocks = try JournalReader(directory: JournalDirectory(dataDirectory: folder)).blocks()
        while let block = try blocks.next() {
            for index in 0..<block.count {
                let hit = block[index]
                var clock = clocks[hit.site] ?? calendar.clock(for: hit.site)
                let day = DayKey.isoDate(clock.day(of: hit.timestamp))
                clocks[hit.site] = clock
                text += "\(day),\(hit.timestamp),\(hit.visitorID),\(field(hit.name)),\(field(hit.pathname)),"
                text += "\(field(hit.source)),\(field(hit.channel.description)),\(field(hit.country)),"
                text += "\(field(hit.browser)),\(field(hit.os)),\(field(hit.device.description))\n"
            }
            try file.write(contentsOf: Data(text.utf8))
            text = ""
        }
    }
}
