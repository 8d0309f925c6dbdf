import Foundation
import Testing

/// Two `serve` nodes with their own data folders, replicating into one real ClickHouse and asking
/// it (`--query-from clickhouse`): a visitor whose hits land on both is one visitor with one visit.
@Suite("Two ingest nodes behind one ClickHouse")
struct ScaleOutTests {
    /// The Stats API's visitors, visits and page views for today, on a new connection (a key the
    /// node has not read yet gets a 401, after which the server closes the connection).
    static func stats(_ node: ServerProcess, key: String) throws -> [Double] {
        let connection = try HTTPConnection(port: node.port)
        let body = Array(
            #"{"site_id": "example.com", "date_range": "day", "metrics": ["visitors", "visits", "pageviews"]}"#.utf8)
        let response = try connection.request(
            "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
            body: body)
        guard response.status == 200 else { return [] }
        let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        let results = json?["results"] as? [[String: Any]]
        return (results?.first?["metrics"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
    }

    @Test("one visitor's hits sent alternately to two nodes count as one visitor and one visit on either node")
    func oneVisitorAcrossTwoNodes() throws {
        let url = try #require(
            ProcessInfo.processInfo.environment["INFINITY_CLICKHOUSE"],
            "no ClickHouse for the tests: run them with `make test` (it starts one)")
        let database = "n_\(UUID().uuidString.prefix(8).lowercased())"
        let folders = [ServerProcess.temporaryFolder(), ServerProcess.temporaryFolder()]
        defer { for folder in folders { try? FileManager.default.removeItem(atPath: folder) } }
        let nodes = try ["edge-a", "edge-b"].enumerated().map { index, name in
            try ServerProcess(
                data: folders[index],
                arguments: [
                    "--clickhouse", url, "--clickhouse-database", database, "--node", name, "--query-from",
                    "clickhouse",
                ])
        }
        defer { for node in nodes where node.process.isRunning { _ = node.stop() } }
        let connections = try nodes.map { try HTTPConnection(port: $0.port) }
        // The visitor alternates between the nodes, a page a few seconds apart; a second visitor
        // only reaches the second node.
        func send(_ connection: HTTPConnection, address: String, path: String) throws {
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome, "X-Forwarded-For": address,
                ], body: ServeEndToEndTests.event(path))
            #expect(response.status == 202, "\(response.body)")
        }
        for index in 0..<6 { try send(connections[index % 2], address: "81.2.69.142", path: "/step-\(index)") }
        for index in 0..<3 { try send(connections[1], address: "8.8.8.8", path: "/other-\(index)") }

        let key = try ServerProcess.run(["keys", "create", "test", "--data", folders[0]])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let otherKey = try ServerProcess.run(["keys", "create", "test", "--data", folders[1]])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var answer: [Double] = []
        let agreed = try LiveAdministrationTests.eventually(60) {
            answer = try Self.stats(nodes[0], key: key)
            return answer == [2, 2, 9]
        }
        #expect(agreed, "node a answers \(answer) from ClickHouse; want 2 visitors, 2 visits, 9 page views")
        // The other node (once it has read its new key) gives the same answer.
        #expect(try LiveAdministrationTests.eventually(30) { try Self.stats(nodes[1], key: otherKey) == [2, 2, 9] })
        // Each node's own journal holds only its share.
        let local = try ServerProcess.run([
            "query", "example.com", "--data", folders[0], "--range", "today", "--metrics", "visitors,pageviews",
            "--format", "csv",
        ])
        #expect(local.hasSuffix("1,3\n"), "\(local)")
        // Both nodes keep the same salts: the ones agreed through ClickHouse.
        let salts = folders.map { (try? String(contentsOfFile: $0 + "/salts", encoding: .utf8)) ?? "" }
        #expect(!salts[0].isEmpty && salts[0] == salts[1], "the nodes' salt files differ")
        for node in nodes { #expect(node.stop() == 0) }
    }
}
