/// Where replicated hits live: one ClickHouse server, or the shards of a ClickHouse cluster.
///
/// With shards, every site's rows go to one shard, the one ClickHouse's own `sipHash64(site) % N`
/// names (so the cluster's `Distributed` table, sharded by the same key, would put them in the same
/// place), each shard into its local `MergeTree` table directly: an insert into one server is
/// atomic, which exactly-once replication rests on. Queries read the `Distributed` table
/// `infinity_hits_all_v1`, which spans every shard. The shards must be listed in the cluster's
/// shard order (`<remote_servers>` in ClickHouse's configuration, all weights 1).
public struct ClickHouseCluster: Sendable {
    /// The servers, in the cluster's shard order (one without a cluster).
    public let shards: [ClickHouseClient]
    /// The cluster's name in ClickHouse's `<remote_servers>`, nil for one server.
    public let name: String?

    /// The servers at `urls` (one, or the shards of cluster `name`), using `database`.
    public init(urls: [String], database: String, name: String? = nil) throws {
        guard !urls.isEmpty else {
            throw ServerError(
                "give ClickHouse's address", code: "invalid-argument", hint: "--clickhouse http://127.0.0.1:8123")
        }
        if let name {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ServerError("the cluster name may hold letters, digits and _ only", code: "invalid-argument")
            }
        } else if urls.count > 1 {
            throw ServerError(
                "several ClickHouse addresses are the shards of one cluster", code: "invalid-argument",
                hint: "Name the cluster of ClickHouse's <remote_servers> with --clickhouse-cluster NAME")
        }
        shards = try urls.map { try ClickHouseClient(url: $0, database: database) }
        self.name = name
    }

    /// One server.
    public init(_ client: ClickHouseClient) {
        shards = [client]
        name = nil
    }

    /// The server queries and shared salts go to (the first shard).
    public var first: ClickHouseClient { shards[0] }

    /// The table queries read: the `Distributed` table over the shards, or the one server's table.
    public var readTable: String {
        "\(first.database).\(name == nil ? ClickHouseSchema.table : ClickHouseSchema.distributedTable)"
    }

    /// Creates the database and tables on every shard (and the `Distributed` table on each, so any
    /// shard answers queries), refusing tables of another schema.
    public func prepare() async throws {
        for shard in shards {
            try await shard.prepare()
            if let name {
                try await shard.execute(
                    ClickHouseSchema.createDistributedTable(database: shard.database, cluster: name))
            }
        }
    }

    /// The shard of each of `sites`, as ClickHouse computes it.
    func shardIndexes(of sites: [String]) async throws -> [String: Int] {
        guard shards.count > 1, !sites.isEmpty else { return Dictionary(uniqueKeysWithValues: sites.map { ($0, 0) }) }
        let list = sites.map(ClickHouseSQL.string).joined(separator: ", ")
        let text = try await first.execute(
            "SELECT site, sipHash64(site) % \(shards.count) FROM (SELECT arrayJoin([\(list)]) AS site) FORMAT TabSeparated"
        )
        var indexes: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, let index = Int(fields[1]) else { continue }
            indexes[ClickHouseSQL.unescape(fields[0])] = index
        }
        guard indexes.count == Set(sites).count else {
            throw ServerError("ClickHouse did not name a shard for every site", code: "clickhouse")
        }
        return indexes
    }
}
