import Foundation
import Ingest
import Logging
import Server
import Synchronization
import Testing

/// ``SharedSalts`` against a real ClickHouse: nodes agree on a day's salt, old salts are deleted
/// everywhere, and a node without ClickHouse goes on with a salt of its own.
@Suite("Daily salts shared through ClickHouse")
struct SharedSaltsTests {
    static let logger = Logger(label: "test")
    static let day: Int64 = 20_500

    /// Two nodes (their own salt files) on one fresh database.
    static func nodes(_ folder: String) throws -> (SharedSalts, SharedSalts, ClickHouseClient) {
        let url = try #require(
            ProcessInfo.processInfo.environment["INFINITY_CLICKHOUSE"],
            "no ClickHouse for the tests: run them with `make test` (it starts one)")
        let client = try ClickHouseClient(url: url, database: "salts_\(UUID().uuidString.prefix(8).lowercased())")
        let a = SharedSalts(local: try SaltStore(path: folder + "/a"), client: client, node: "a", logger: logger)
        let b = SharedSalts(local: try SaltStore(path: folder + "/b"), client: client, node: "b", logger: logger)
        return (a, b, client)
    }

    @Test("two nodes asking for a new day's salt at the same moment get the same salt")
    func nodesAgree() throws {
        let folder = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, client) = try Self.nodes(folder)
        let answers = Mutex<[Int: Salt]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let salt = try? (index == 0 ? a : b).salt(site: "example.com", day: Self.day)
            answers.withLock { $0[index] = salt }
        }
        let salts = answers.withLock { $0 }
        #expect(
            salts.count == 2 && salts[0] == salts[1],
            "node a has \(String(describing: salts[0])), b \(String(describing: salts[1]))")
        #expect(a.fallbacks == 0 && b.fallbacks == 0)
        // A node starting later gets the same salt; another site gets another.
        try FileManager.default.createDirectory(atPath: folder + "/c", withIntermediateDirectories: true)
        let (c, _, other) = try Self.nodes(folder + "/c")
        let late = SharedSalts(
            local: try SaltStore(path: folder + "/late"), client: client, node: "c", logger: Self.logger)
        #expect(try late.salt(site: "example.com", day: Self.day) == salts[0])
        #expect(try c.salt(site: "example.com", day: Self.day) != salts[0], "another database is another cluster")
        #expect(try a.salt(site: "shop.example", day: Self.day) != salts[0])
        for database in [client.database, other.database] { try client.run("DROP DATABASE \(database)", seconds: 10) }
    }

    @Test("a day's salt is deleted from every node and from ClickHouse once it is more than a day old")
    func oldSaltsAreDeletedEverywhere() throws {
        let folder = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, client) = try Self.nodes(folder)
        let zones = ["example.com": TimeZone(identifier: "UTC")!]
        let noon: (Int64) -> Int64 = { $0 * 86_400_000 + 12 * 3_600_000 }
        try a.sync(now: noon(Self.day), zones: zones)
        try b.sync(now: noon(Self.day), zones: zones)
        let old = try #require(a.existingSalt(site: "example.com", day: Self.day))
        #expect(b.existingSalt(site: "example.com", day: Self.day) == old)
        let table = "\(client.database).infinity_salts_v1"
        #expect(try client.run("SELECT count() FROM \(table) WHERE day = \(Self.day)", seconds: 10) != "0\n")

        // One day later the salt is still kept (a visit may run over midnight); two days later it is gone.
        try a.sync(now: noon(Self.day + 1), zones: zones)
        #expect(a.existingSalt(site: "example.com", day: Self.day) == old)
        try a.sync(now: noon(Self.day + 2), zones: zones)
        try b.sync(now: noon(Self.day + 2), zones: zones)
        for node in [a, b] {
            #expect(node.existingSalt(site: "example.com", day: Self.day) == nil)
            #expect(try node.salt(site: "example.com", day: Self.day) == nil, "a deleted day must never come back")
        }
        for file in ["a", "b"] {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(!text.contains(old.hex), "node \(file)'s salt file still holds the old salt")
        }
        #expect(try client.run("SELECT count() FROM \(table) WHERE day <= \(Self.day)", seconds: 10) == "0\n")
        #expect(try client.run("SELECT count() FROM \(table) WHERE salt = '\(old.hex)'", seconds: 10) == "0\n")
        try client.run("DROP DATABASE \(client.database)", seconds: 10)
    }

    @Test("ClickHouse unreachable: the node makes a salt of its own, counts it, and ingest goes on")
    func unreachableClickHouseFallsBack() throws {
        let folder = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let salts = SharedSalts(
            local: try SaltStore(path: folder + "/salts"), client: try ClickHouseClient(url: "http://127.0.0.1:9"),
            node: "a", logger: Self.logger)
        let salt = try salts.salt(site: "example.com", day: Self.day)
        #expect(salt != nil)
        #expect(salts.fallbacks == 1)
        #expect(try salts.salt(site: "example.com", day: Self.day) == salt, "the day keeps its salt")
        #expect(salts.fallbacks == 1)
    }
}
