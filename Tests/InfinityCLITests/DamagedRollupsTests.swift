import Foundation
import Testing

/// Damaged rollup files, as an operator meets them: answers stay right (the day is counted from
/// the journal), say which day was damaged, and the advice they give repairs the files.
@Suite("damaged rollup files", .serialized)
struct DamagedRollupsTests {
    /// The page breakdown `query --format json` answers for the three days, and its warnings.
    static func pages(_ data: String) throws -> (rows: [String: [Double]], warnings: [String]) {
        let output = try CLI.run([
            "query", "example.com", "--data", data, "--range", "2026-10-01..2026-10-03", "--by", "page",
            "--metrics", "visitors,pageviews,bounce_rate", "--format", "json",
        ])
        #expect(output.status == 0, "query failed: \(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        var rows: [String: [Double]] = [:]
        for row in try #require(json["results"] as? [[String: Any]]) {
            let page = try #require((row["dimensions"] as? [String])?.first)
            rows[page] = try #require(row["metrics"] as? [Double])
        }
        let meta = try #require(json["meta"] as? [String: Any])
        return (rows, meta["warnings"] as? [String] ?? [])
    }

    @Test("a damaged day file is counted from the journal with a note naming the day, and rebuild repairs it")
    func damagedDayFileIsCountedFromTheJournal() throws {
        let folder = TemporaryDirectory()
        let (data, _) = try DamagedJournalTests.journal(folder)
        #expect(try CLI.run(["rebuild", "--data", data]).status == 0)
        let before = try Self.pages(data)
        #expect(!before.rows.isEmpty && before.warnings.isEmpty)
        let current = try String(contentsOfFile: data + "/rollups/CURRENT", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let file = data + "/rollups/\(current)/example.com/2026-10-02.day"
        // Cut the file short, as a copy or a disk that failed half-way would.
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.truncate(atOffset: try handle.seekToEnd() / 2)
        try handle.close()

        let damaged = try Self.pages(data)
        #expect(damaged.rows == before.rows, "the answer is the same, counted from the journal")
        #expect(damaged.warnings.contains { $0.contains("2026-10-02") && $0.contains("infinity rebuild") })
        #expect(!damaged.warnings.joined().contains(data), "a warning shows no path of this machine")

        #expect(try CLI.run(["rebuild", "--data", data]).status == 0)
        let repaired = try Self.pages(data)
        #expect(repaired.rows == before.rows && repaired.warnings.isEmpty, "\(repaired.warnings)")
    }
}
