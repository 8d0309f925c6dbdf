import Foundation
import Testing

/// Two real ClickHouse servers as the shards of one cluster: each site's rows on one shard, a
/// `Distributed` table over both, and the same answers as the embedded engine (and so as one server).
@Suite("A ClickHouse cluster of two shards", .serialized)
struct ClickHouseClusterTests {
    static let ports = [18_233, 18_236]
    static let cluster = "infinity_pair"

    @Test(
        "sites spread over two shards; every oracle query through the Distributed table gives the embedded engine's rows"
    )
    func twoShardsAnswerAsOne() async throws {
        let shards = try Self.ports.map {
            try ClickHouseServer.own(port: $0, cluster: Self.cluster, shards: Self.ports)
        }
        defer { for shard in shards { shard.stop() } }
        let fixture = try OracleFixture(oracle: false)
        let database = "c_\(UUID().uuidString.prefix(8).lowercased())"
        let replicate =
            ["replicate", "--data", fixture.data.path, "--node", "n1", "--once", "--database", database]
            + shards.flatMap { ["--clickhouse", $0.url] } + ["--clickhouse-cluster", Self.cluster]
        let first = try CLI.run(replicate)
        try #require(first.status == 0, "\(first.stderr)")
        let stat = try CLI.run(["journal", "stat", "--data", fixture.data.path, "--format", "json"])
        let records = try #require(
            (try JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)) as? [String: Any])?["records"] as? Int)

        // Each site lives on one shard (ClickHouse's sipHash64(site) % 2), every record once.
        var placed: [String: String] = [:]
        var total = 0
        for (index, shard) in shards.enumerated() {
            let text = try await shard.query(
                "SELECT site, count(), uniqExact(node, sequence) FROM \(database).infinity_hits_v1 GROUP BY site")
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "\t").map(String.init)
                #expect(placed[fields[0]] == nil, "\(fields[0]) is on both shards")
                #expect(fields[1] == fields[2], "a record is on shard \(index) twice")
                placed[fields[0]] = "shard \(index)"
                total += Int(fields[1]) ?? 0
            }
        }
        #expect(placed == ["shop.example": "shard 0", "example.com": "shard 1"])
        #expect(total == records)
        let again = try CLI.run(replicate)
        #expect(again.stdout.contains("Replicated 0 records"), "\(again.stdout)")

        for index in QueryOracleTests.cases.indices {
            let local = try fixture.answer(case: index)
            let remote = try fixture.answer(
                case: index,
                arguments: [
                    "--clickhouse", shards[0].url, "--clickhouse-database", database, "--clickhouse-cluster",
                    Self.cluster,
                ])
            try OracleFixture.expectSameRows(local, remote, label: "case \(index)")
        }
    }

    @Test("several addresses without a cluster name are refused with what to add")
    func shardsNeedAClusterName() throws {
        let data = TemporaryDirectory()
        let run = try CLI.run([
            "replicate", "--data", data.path, "--once", "--clickhouse", "http://127.0.0.1:1", "--clickhouse",
            "http://127.0.0.1:2",
        ])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--clickhouse-cluster NAME"), "\(run.stderr)")
    }
}
