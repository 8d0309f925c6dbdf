import Foundation
import Testing

/// Damaged or missing journal data, as an operator meets it: every command notices, names the
/// records that are missing, keeps answering with what is left, and its advice works when followed.
@Suite("damaged or missing journal data", .serialized)
struct DamagedJournalTests {
    /// Ways a sealed segment gets damaged on a real disk.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case zeroedHeader, truncated, flippedBytes, deletedSegment
        var testDescription: String { rawValue }

        /// Damages the middle one of three sealed segments.
        func apply(to segment: String) throws {
            _ = chmod(segment, 0o644)
            let handle = try #require(FileHandle(forUpdatingAtPath: segment))
            defer { try? handle.close() }
            let size = try handle.seekToEnd()
            switch self {
            case .zeroedHeader:
                try handle.seek(toOffset: 0)
                handle.write(Data(repeating: 0, count: 64))
            case .truncated:
                try handle.truncate(atOffset: size / 2)
            case .flippedBytes:
                try handle.seek(toOffset: size / 2)
                let bytes = handle.readData(ofLength: 16)
                try handle.seek(toOffset: size / 2)
                handle.write(Data(bytes.map { ~$0 }))
            case .deletedSegment:
                try FileManager.default.removeItem(atPath: segment)
            }
        }
    }

    /// Three days of hits for example.com, one segment per day (one run per day, so that no block
    /// holds two days however the writer batches them).
    static func journal(_ folder: TemporaryDirectory) throws -> (data: String, segments: [String]) {
        let data = folder.path
        #expect(try CLI.run(["sites", "add", "example.com", "--data", data]).status == 0)
        for day in ["2026-10-01", "2026-10-02", "2026-10-03"] {
            let generated = try CLI.run([
                "generate", "--data", data, "--site", "example.com", "--days", "1", "--hits-per-day", "3000",
                "--start", day, "--sync", "none",
            ])
            #expect(generated.status == 0, "\(generated.stderr)")
        }
        let journal = data + "/journal"
        let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
            .sorted().map { journal + "/" + $0 }
        #expect(segments.count == 3)
        return (data, segments)
    }

    /// Total page views `query --format json` answers for the three days, and its warnings.
    static func pageviews(_ data: String) throws -> (total: Int, warnings: [String]) {
        let output = try CLI.run([
            "query", "example.com", "--data", data, "--range", "2026-10-01..2026-10-03", "--metrics", "pageviews",
            "--format", "json",
        ])
        #expect(output.status == 0, "query failed: \(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        let metrics = try #require(results.first?["metrics"] as? [Double])
        let meta = try #require(json["meta"] as? [String: Any])
        return (Int(metrics[0]), meta["warnings"] as? [String] ?? [])
    }

    /// Page views among the records `journal dump` can still read.
    static func readablePageviews(_ data: String) throws -> (count: Int, output: CLI.Output) {
        let dump = try CLI.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        let count = dump.stdout.split(separator: "\n").filter { $0.contains(#""name":"pageview""#) }.count
        return (count, dump)
    }

    @Test(
        "each kind of damage is named by dump, query and rebuild; following the advice gives the readable numbers",
        arguments: Damage.allCases)
    func damageIsNamedAndTheAdviceWorks(damage: Damage) throws {
        let folder = TemporaryDirectory()
        let (data, segments) = try Self.journal(folder)
        let (cleanDump, _) = try Self.readablePageviews(data)
        try damage.apply(to: segments[1])

        // dump prints what it can read, names the missing records, and exits 1.
        let (readable, dump) = try Self.readablePageviews(data)
        #expect(dump.status == 1)
        #expect(dump.stderr.contains("are missing"), "\(dump.stderr)")
        #expect(readable < cleanDump && readable > 0)

        // query answers from what is left and says which records are missing.
        let before = try Self.pageviews(data)
        #expect(before.total == readable)
        #expect(before.warnings.contains { $0.contains("could not be read") }, "\(before.warnings)")

        // rebuild stops and names --skip-corrupt; following that advice works.
        let strict = try CLI.run(["rebuild", "--data", data, "--progress", "none"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("--skip-corrupt"), "\(strict.stderr)")
        let skipping = try CLI.run(["rebuild", "--data", data, "--progress", "none", "--skip-corrupt"])
        #expect(skipping.status == 0, "\(skipping.stderr)")
        #expect(skipping.stdout.contains("records were skipped"))
        let after = try Self.pageviews(data)
        #expect(after.total == readable)
        #expect(after.warnings.contains { $0.contains("could not be read") }, "\(after.warnings)")
        // Answers name segment files, never the folder they are in.
        #expect(!after.warnings.joined().contains(data))
    }

    @Test("putting the segment back from a backup and rebuilding brings every record back, with no warning")
    func restoringTheSegmentRestoresTheNumbers() throws {
        let folder = TemporaryDirectory()
        let (data, segments) = try Self.journal(folder)
        let clean = try Self.pageviews(data)
        let backup = data + "/backup.seg"
        try FileManager.default.copyItem(atPath: segments[1], toPath: backup)
        try Damage.flippedBytes.apply(to: segments[1])
        #expect(try CLI.run(["rebuild", "--data", data, "--progress", "none", "--skip-corrupt"]).status == 0)
        #expect(try Self.pageviews(data).total < clean.total)
        try FileManager.default.removeItem(atPath: segments[1])
        try FileManager.default.moveItem(atPath: backup, toPath: segments[1])
        #expect(try CLI.run(["rebuild", "--data", data, "--progress", "none"]).status == 0)
        let restored = try Self.pageviews(data)
        #expect(restored.total == clean.total)
        #expect(restored.warnings.isEmpty)
    }
}
