import Foundation
import Testing

/// A damaged block does not take a site's numbers offline: `serve` starts, answers from what it
/// can read, says which records are missing, and reports itself degraded.
@Suite("serve over a damaged journal", .serialized)
struct DamagedJournalServeTests {
    @Test("a damaged block: answers still come, with warnings; /healthz says degraded; no path is shown")
    func damagedBlockDegradesInsteadOfFailing() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        for day in ["2026-10-01", "2026-10-02", "2026-10-03"] {  // a segment per day
            _ = try ServerProcess.run([
                "generate", "--data", data, "--site", "example.com", "--days", "1", "--hits-per-day", "3000",
                "--start", day, "--sync", "none",
            ])
        }
        let journal = data + "/journal"
        let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
            .sorted()
        let victim = journal + "/" + segments[1]
        _ = chmod(victim, 0o644)
        let handle = try #require(FileHandle(forUpdatingAtPath: victim))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let bytes = handle.readData(ofLength: 16)
        try handle.seek(toOffset: size / 2)
        handle.write(Data(bytes.map { ~$0 }))
        try handle.close()
        let key = try ServerProcess.run(["keys", "create", "test", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        // The first fold builds the rollups, stepping over the damage and noting it.
        let deadline = Date().addingTimeInterval(60)
        var health = try connection.request("GET", "/healthz")
        while Date() < deadline && !health.body.contains("degraded") {
            usleep(100_000)
            health = try connection.request("GET", "/healthz")
        }
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"degraded""#), "\(health.body)")
        #expect(health.body.contains(segments[1]))
        #expect(!health.body.contains(data), "/healthz shows a path: \(health.body)")
        #expect(try ServerProcess.metric("infinity_journal_damaged_records", from: connection) > 0)

        let answer = try connection.request(
            "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
            body: Array(
                #"{"site_id": "example.com", "metrics": ["pageviews"], "date_range": ["2026-10-01", "2026-10-03"]}"#
                    .utf8))
        #expect(answer.status == 200, "\(answer.body)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        let warnings = (json["meta"] as? [String: Any])?["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("could not be read") && $0.contains(segments[1]) }, "\(warnings)")
        #expect(!answer.body.contains(data))
        let total = ((json["results"] as? [[String: Any]])?.first?["metrics"] as? [Double])?.first ?? 0
        #expect(total > 3000 && total < 9000, "\(total) page views; \(answer.body)")  // a day lost of three
    }
}
