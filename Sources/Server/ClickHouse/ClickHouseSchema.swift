/// The ClickHouse table the journal is replicated into: one row per journal record, keyed by the
/// node that wrote it and its journal sequence number. Like the journal it has no client address
/// and no user agent; the visitor id is the same daily, salted hash.
///
/// Written for ClickHouse 18.16 (Debian 12's package) and current releases alike: plain
/// `MergeTree` with custom partitioning, `Date`/`Int64` instead of `DateTime64` (added in 20.1),
/// parallel arrays instead of `Map` (21.x), no `LowCardinality` (19.x). Docs/clickhouse.md has the
/// DDL and the reasons.
public enum ClickHouseSchema {
    /// The schema version, part of the table name: a new version is a new table.
    public static let version = 1
    /// The table's name.
    public static let table = "infinity_hits_v\(version)"

    /// The columns in RowBinary order, with their ClickHouse types.
    public static let columns: [(name: String, type: String)] = [
        ("node", "String"), ("sequence", "UInt64"), ("time_ms", "Int64"), ("date", "Date"), ("site", "String"),
        ("name", "String"), ("hostname", "String"), ("pathname", "String"), ("referrer", "String"),
        ("source", "String"), ("channel", "UInt8"), ("utm_source", "String"), ("utm_medium", "String"),
        ("utm_campaign", "String"), ("utm_content", "String"), ("utm_term", "String"), ("country", "String"),
        ("browser", "String"), ("browser_version", "String"), ("os", "String"), ("os_version", "String"),
        ("device", "UInt8"), ("screen", "UInt8"), ("visitor_id", "UInt64"), ("prop_keys", "Array(String)"),
        ("prop_values", "Array(String)"), ("revenue_amount", "Int64"), ("revenue_currency", "String"),
        ("flags", "UInt8"),
    ]

    /// The `Distributed` table over every shard's table, for queries on a cluster.
    public static let distributedTable = "infinity_hits_all_v\(version)"

    /// `CREATE TABLE … infinity_hits_all_v1 AS … ENGINE = Distributed(cluster, …, sipHash64(site))`.
    public static func createDistributedTable(database: String, cluster: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(database).\(distributedTable) AS \(database).\(table)
        ENGINE = Distributed(\(cluster), \(database), \(table), sipHash64(site))
        """
    }

    /// The table of the daily salts every node shares (``SharedSalts``).
    public static let saltTable = "infinity_salts_v\(version)"

    /// `CREATE TABLE … infinity_salts_v1`: one row per node's candidate salt of a site's local day,
    /// one partition per site and day so that a day's salts are dropped whole.
    public static func createSaltTable(database: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(database).\(saltTable) (
            site String,
            day Int64,
            salt String,
            created DateTime,
            node String
        ) ENGINE = MergeTree() PARTITION BY (site, day) ORDER BY (site, day, created, salt)
        """
    }

    /// `CREATE TABLE IF NOT EXISTS …` for `database` (which must exist).
    public static func createTable(database: String) -> String {
        let body = columns.map { "    \($0.name) \($0.type)" }.joined(separator: ",\n")
        return """
            CREATE TABLE IF NOT EXISTS \(database).\(table) (
            \(body)
            ) ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY (site, date, node, sequence)
            """
    }
}
