import Foundation
import Testing

/// A full disk under a running server: hits that cannot be stored get 500 and are counted as
/// failed, `/metrics` counts as stored only what the journal holds, and the error names the file.
@Suite("serve on a full disk", .serialized)
struct DiskFullTests {
    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test(
        "stored hits are counted only once stored, failures are counted, /healthz says failing",
        .enabled(if: getuid() == 0, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func fullDiskCountsOnlyStoredHits() throws {
        let folder = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = folder + "/tiny"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try #require(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=192k", "tmpfs", data]) == 0)
        defer { _ = Self.run("/bin/umount", ["-l", data]) }
        let server = try ServerProcess(data: data)
        let connection = try HTTPConnection(port: server.port)
        var statuses: [Int: Int] = [:]
        for i in 0..<20_000 {
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome,
                    "X-Forwarded-For": "198.51.\(i % 200).\(i % 250)",
                ],
                body: ServeEndToEndTests.event("/fill/\(i)/" + String(repeating: "x", count: i % 97)))
            statuses[response.status, default: 0] += 1
            if (statuses[500] ?? 0) >= 20 { break }
        }
        #expect((statuses[500] ?? 0) >= 20, "the disk never filled: \(statuses)")
        let stored = try ServerProcess.metric("infinity_hits_accepted_total", from: connection)
        let failed = try ServerProcess.metric("infinity_events_failed_total", from: connection)
        #expect(stored == statuses[202] ?? 0, "stored \(stored), acknowledged \(statuses[202] ?? 0)")
        #expect(failed >= statuses[500] ?? 0)
        let health = try connection.request("GET", "/healthz")
        #expect(health.status == 503 && health.body.contains("failing"), "\(health.body)")
        #expect(!health.body.contains(data), "/healthz shows a path: \(health.body)")
        #expect(server.stop(within: 15) != nil)
        #expect(server.log.contains(".seg") && !server.log.contains(".seg.tmp"), "the error names the segment")
        let stat = try ServerProcess.run(["journal", "stat", "--data", data, "--format", "json"])
        let records = (try? JSONSerialization.jsonObject(with: Data(stat.utf8)) as? [String: Any])?["records"] as? Int
        #expect(records == stored, "the journal holds \(records ?? -1), /metrics said \(stored)")
    }
}
