import Foundation
import Testing

/// `infinity journal compact` killed at each step of replacing a segment: afterwards the journal
/// holds every record exactly once, verify finds nothing, and the next run finishes the work.
@Suite("infinity journal compact, killed at every step")
struct CompactCrashTests {
    static func dump(_ data: TemporaryDirectory) throws -> String {
        let run = try CLI.run(["journal", "dump", "--data", data.path, "--format", "ndjson", "--limit", "1000000"])
        try #require(run.status == 0, "\(run.stderr)")
        return run.stdout
    }

    static func sealedBytesPerRecord(_ data: TemporaryDirectory) throws -> Double {
        let run = try CLI.run(["journal", "stat", "--data", data.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return try #require(object["sealed_bytes_per_record"] as? Double)
    }

    @Test(
        "SIGKILL after the copy is written, after it is synced, after the rename",
        arguments: ["written", "synced", "renamed"])
    func killedAtStep(step: String) throws {
        let data = TemporaryDirectory()
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--days", "3", "--hits-per-day", "2000",
            "--start", "2026-11-01", "--block-records", "20", "--sync", "none", "--progress", "none",
        ])
        try #require(generated.status == 0, "\(generated.stderr)")
        let before = try Self.dump(data)
        let bytesBefore = try Self.sealedBytesPerRecord(data)

        let killed = try CLI.run(
            ["journal", "compact", "--data", data.path], environment: ["INFINITY_COMPACT_CRASH_AFTER": step])
        #expect(killed.status == -SIGKILL, "the compaction was not killed: \(killed.status) \(killed.stderr)")
        let verify = try CLI.run(["journal", "verify", "--data", data.path])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(try Self.dump(data) == before, "records changed after a kill \(step)")

        let finished = try CLI.run(["journal", "compact", "--data", data.path])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try Self.dump(data) == before)
        #expect(try Self.sealedBytesPerRecord(data) < bytesBefore * 0.8)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: data.path + "/journal").filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
