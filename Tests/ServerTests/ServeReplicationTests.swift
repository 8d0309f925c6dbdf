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
    static func count(_ url: String, _ database: String) throws -> Int {
        var components = URLComponents(string: url)!
        components.queryItems = [
            URLQueryItem(name: "query", value: "SELECT count() FROM \(database).infinity_hits_v1 WHERE node = 'edge-1'")
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
        var components = URLComponents(string: url)!
        components.queryItems = [
            URLQueryItem(
                name: "query",
                value:
                    "SELECT count() FROM \(database).infinity_hits_v1 WHERE position(concat(site, pathname, referrer, source, country, browser, os, hostname), '81.2.69.') > 0"
            )
        ]
        let text = try String(contentsOf: components.url!, encoding: .utf8)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
