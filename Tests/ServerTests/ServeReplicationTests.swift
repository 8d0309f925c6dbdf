import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `serve --clickhouse URL`: hits accepted over HTTP reach a real ClickHouse beside ingest, and
/// the lag is on `/healthz` and `/metrics`.
@Suite("serve with replication into ClickHouse")
struct ServeReplicationTests {
    /// Rows of `database`'s hits table where `condition` holds (-1 when ClickHouse does not answer).
    static func count(_ url: String, _ database: String, where condition: String = "node = 'edge-1'") throws -> Int {
        var components = URLComponents(string: url)!
        components.queryItems = [
            URLQueryItem(name: "query", value: "SELECT count() FROM \(database).infinity_hits_v1 WHERE \(condition)")
        ]
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.httpBody = Data()
        let result = Mutex<Int>(-1)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, _ in
            result.withLock {
                $0 =
                    Int(String(decoding: data ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                    ?? -1
            }
            done.signal()
        }.resume()
        done.wait()
        return result.withLock { $0 }
    }

    @Test("every accepted hit reaches ClickHouse once; lag 0 on /healthz and /metrics; no client address in it")
    func hitsReachClickHouse() throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["INFINITY_CLICKHOUSE"],
            "no ClickHouse for the tests: run them with `make test` (it starts one)")
        let database = "s_\(UUID().uuidString.prefix(8).lowercased())"
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(
            data: data, arguments: ["--clickhouse", url, "--clickhouse-database", database, "--node", "edge-1"])
        let connection = try HTTPConnection(port: server.port)
        for index in 0..<50 {
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome,
                    "X-Forwarded-For": "81.2.69.\(100 + index % 50)",
                ], body: ServeEndToEndTests.event("/page-\(index)"))
            #expect(response.status == 202)
        }
        #expect(try LiveAdministrationTests.eventually { try Self.count(url, database) == 50 })
        #expect(
            try LiveAdministrationTests.eventually {
                try ServerProcess.metric("infinity_replication_lag_records", from: connection) == 0
                    && ServerProcess.metric("infinity_replication_position", from: connection) == 50
            })
        let health = try connection.request("GET", "/healthz")
        #expect(health.body.contains(#""lag_records":0"#) && health.body.contains(#""status":"ok""#), "\(health.body)")
        #expect(server.stop() == 0)
        #expect(try Self.count(url, database) == 50, "a restart of the node must not send anything twice")
        // The addresses the hits came from are nowhere in ClickHouse.
        #expect(
            try Self.count(
                url, database,
                where:
                    "position(concat(site, pathname, referrer, source, country, browser, os, hostname), '81.2.69.') > 0"
            )
                == 0)
    }

    @Test("serve --retention deletes the node's rows older than the retention from ClickHouse too")
    func retentionReachesClickHouse() throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["INFINITY_CLICKHOUSE"],
            "no ClickHouse for the tests: run them with `make test` (it starts one)")
        let database = "r_\(UUID().uuidString.prefix(8).lowercased())"
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // Twenty days of hits ending ten days ago: the first ten are older than a 20-day retention.
        let day: Int64 = 86_400_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let start = Date(timeIntervalSince1970: Double(now - 30 * day) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        _ = try ServerProcess.run(["sites", "add", "example.com", "--data", data])
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "20", "--hits-per-day", "200",
            "--start", formatter.string(from: start), "--sync", "none", "--block-records", "500",
        ])
        func count(_ condition: String) throws -> Int { try Self.count(url, database, where: condition) }
        // Everything is in ClickHouse before the server with its retention starts.
        _ = try ServerProcess.run([
            "replicate", "--data", data, "--clickhouse", url, "--database", database, "--node", "edge-1", "--once",
        ])
        let cutoff = now - 20 * day
        #expect(try count("time_ms < \(cutoff - day)") > 0)
        let server = try ServerProcess(
            data: data, sites: [],
            arguments: [
                "--clickhouse", url, "--clickhouse-database", database, "--node", "edge-1", "--retention", "20",
            ])
        defer { if server.process.isRunning { _ = server.stop() } }
        var left = -1
        let deleted = try LiveAdministrationTests.eventually(60) {
            left = try count("time_ms < \(cutoff - day)")
            let kept = try count("time_ms >= \(cutoff + day)")
            return left == 0 && kept > 0
        }
        #expect(deleted, "\(left) rows older than the retention are still in ClickHouse")
        #expect(server.stop() == 0)
    }
}
