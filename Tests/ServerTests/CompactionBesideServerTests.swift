import Foundation
import Testing

/// `serve` compacts sealed segments by itself, and `journal compact` run beside it changes no
/// answer: the rollups, queries and journal stay what they were.
@Suite("compaction beside a running server")
struct CompactionBesideServerTests {
    static func sealedBytesPerRecord(_ data: String) throws -> Double {
        let text = try ServerProcess.run(["journal", "stat", "--data", data, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return object?["sealed_bytes_per_record"] as? Double ?? 0
    }

    static func overview(_ data: String) throws -> String {
        try ServerProcess.run([
            "query", "example.com", "--data", data, "--range", "2026-11-01..2026-11-03", "--by", "page", "--format",
            "csv", "--metrics", "visitors,visits,pageviews,bounce_rate",
        ])
    }

    @Test("serve rewrites small-block sealed segments on its own; answers and the journal's records do not change")
    func serveCompactsSealedSegments() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run(["sites", "add", "example.com", "--data", data])
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "3", "--hits-per-day", "3000", "--start",
            "2026-11-01", "--block-records", "20", "--sync", "none", "--progress", "none",
        ])
        let records = try ServerProcess.run([
            "journal", "dump", "--data", data, "--format", "ndjson", "--limit", "100000",
        ])
        let before = try Self.overview(data)
        let bytesBefore = try Self.sealedBytesPerRecord(data)
        #expect(bytesBefore > 17)

        let server = try ServerProcess(data: data)
        #expect(try LiveAdministrationTests.eventually { try Self.sealedBytesPerRecord(data) < bytesBefore * 0.8 })
        #expect(server.log.contains("compacted a segment"), "\(server.log)")
        // A second compaction from the CLI beside the server finds nothing left to do.
        let cli = try ServerProcess.run(["journal", "compact", "--data", data])
        #expect(cli.contains("0 of 3 sealed segments compacted"), "\(cli)")
        #expect(try Self.overview(data) == before)
        #expect(server.stop() == 0)
        #expect(
            try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson", "--limit", "100000"])
                == records)
        _ = try ServerProcess.run(["rebuild", "--data", data])
        #expect(try Self.overview(data) == before)
    }
}
