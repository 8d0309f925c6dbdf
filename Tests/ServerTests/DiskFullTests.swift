import Foundation
import InfinityTestSupport
import Testing

/// A full disk under a running server: hits that cannot be stored get 503 and are counted as
/// failed, `/metrics` counts as stored only what the journal holds, the error names the file, and
/// the server stores hits again by itself once there is space.
@Suite("serve on a full disk", .serialized)
struct DiskFullTests {
    @Test(
        "a full disk answers 503 and counts only stored hits; once there is room, hits are stored again without a restart",
        .enabled(if: Tmpfs.available, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func fullDiskCountsOnlyStoredHitsAndRecovers() throws {
        let folder = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let disk = try #require(Tmpfs(at: folder + "/tiny", size: "192k"))
        defer { disk.unmount() }
        let data = disk.path
        // Something else on the disk that the operator deletes once the disk is full.
        let other = data + "/other-file"
        try Data(count: 48 << 10).write(to: URL(fileURLWithPath: other))
        let server = try ServerProcess(data: data, sites: ["example.com", "quiet.example"])
        let connection = try HTTPConnection(port: server.port)
        func hit(_ i: Int, domain: String = "example.com") throws -> HTTPConnection.Response {
            try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome,
                    "X-Forwarded-For": "198.51.\(i % 200).\(i % 250)",
                ],
                body: ServeEndToEndTests.event(
                    "/fill/\(i)/" + String(repeating: "x", count: i % 97), domain: domain))
        }
        var statuses: [Int: Int] = [:]
        var refusal: HTTPConnection.Response?
        for i in 0..<20_000 {
            let response = try hit(i)
            statuses[response.status, default: 0] += 1
            if response.status == 503 { refusal = response }
            if (statuses[503] ?? 0) >= 20 { break }
        }
        #expect((statuses[503] ?? 0) >= 20, "the disk never filled: \(statuses)")
        #expect(refusal?.body.contains("disk is full") == true, "\(refusal?.body ?? "")")
        #expect(refusal?.headers["retry-after"] != nil, "a 503 says when to retry")
        let failed = try ServerProcess.metric("infinity_events_failed_total", from: connection)
        #expect(failed >= statuses[503] ?? 0)
        #expect(try ServerProcess.metric("infinity_hits_accepted_total", from: connection) == statuses[202] ?? 0)
        // A site's first hit of the day needs a new salt, which cannot be saved either: 503, and one
        // log line for all of them, not one per request.
        for i in 0..<50 {
            #expect(try hit(i, domain: "quiet.example").status == 503)
        }
        let health = try connection.request("GET", "/healthz")
        #expect(health.status == 503 && health.body.contains("failing"), "\(health.body)")
        #expect(!health.body.contains(data), "/healthz shows a path: \(health.body)")
        // The operator frees space: hits are stored again, and /healthz says so, without a restart.
        try FileManager.default.removeItem(atPath: other)
        var next = 20_000
        let resumed = try LiveAdministrationTests.eventually {
            next += 1
            let response = try hit(next)
            statuses[response.status, default: 0] += 1
            return response.status == 202
        }
        #expect(resumed, "no hit was stored after space was freed: \(statuses)")
        let quiet = try hit(next + 1, domain: "quiet.example")
        statuses[quiet.status, default: 0] += 1
        #expect(quiet.status == 202, "the salt is saved once there is space")
        // The salt that hit used is in the salt file: a restart gives its visitors the same ids.
        let salts = try String(contentsOfFile: data + "/salts", encoding: .utf8)
        #expect(salts.contains("quiet.example "), "the salt in use is not on disk")
        #expect(try connection.request("GET", "/healthz").status == 200)
        let stored = try ServerProcess.metric("infinity_hits_accepted_total", from: connection)
        #expect(stored == statuses[202] ?? 0, "stored \(stored), acknowledged \(statuses[202] ?? 0)")
        #expect(server.stop(within: 15) != nil)
        #expect(server.log.contains(".seg") && !server.log.contains(".seg.tmp"), "the error names the segment")
        #expect(server.log.contains("the disk has room again"), "the log says when writing resumed")
        let saltFailures = server.log.components(separatedBy: "ingest failed").count - 1
        #expect(saltFailures == 1, "50 failed salt writes logged \(saltFailures) times")
        let stat = try ServerProcess.run(["journal", "stat", "--data", data, "--format", "json"])
        let records = (try? JSONSerialization.jsonObject(with: Data(stat.utf8)) as? [String: Any])?["records"] as? Int
        #expect(records == stored, "the journal holds \(records ?? -1), /metrics said \(stored)")
    }
}
