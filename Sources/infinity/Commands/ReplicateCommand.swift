import ArgumentParser
import Foundation
import Journal
import Server

/// `infinity replicate`: ship the journal's records into ClickHouse, exactly once.
struct ReplicateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Copy the journal's records into ClickHouse, exactly once, and keep following it.",
        discussion: """
            Each row carries its node name and journal sequence number; on start the command asks ClickHouse \
            how far this node got and goes on from there, so stopping or killing it at any moment and \
            starting it again leaves every record in ClickHouse exactly once. The database and the table \
            (Docs/clickhouse.md) are created when missing. Runs beside `infinity serve` (which can also do \
            this itself with `serve --clickhouse URL`).
            Examples:
              infinity replicate --data ./data --clickhouse http://127.0.0.1:8123 --once
              infinity replicate --clickhouse http://clickhouse:8123 --node eu-1
              infinity replicate --clickhouse http://ch1:8123 --clickhouse http://ch2:8123 --clickhouse-cluster analytics
            """)

    @OptionGroup var options: DataOptions

    @Option(
        help: ArgumentHelp(
            "ClickHouse's HTTP address; repeat it for each shard of a cluster, in the cluster's shard order. Example: --clickhouse http://127.0.0.1:8123",
            valueName: "url"))
    var clickhouse: [String]

    @Option(help: "The database to write to (created when missing).")
    var database = "infinity"

    @Option(
        help: ArgumentHelp(
            "The cluster (ClickHouse's <remote_servers>) the shards form; each site's rows go to one shard, and a Distributed table spans them. Example: --clickhouse-cluster analytics",
            valueName: "name"))
    var clickhouseCluster: String?

    @Option(help: "This node's name, unique among the nodes sharing one ClickHouse (default: the host name).")
    var node: String?

    @Flag(help: "Stop once ClickHouse holds every record written so far.")
    var once = false

    @Option(help: "Records per insert, 1 to 500000.")
    var batchRecords = 100_000

    func run() async throws {
        try options.requireOwner()
        let logger = Infinity.makeLogger()
        let replicator = try JournalReplicator(
            journal: options.journal,
            cluster: try ClickHouseCluster(urls: clickhouse, database: database, name: clickhouseCluster),
            node: node ?? ProcessInfo.processInfo.hostName, batchRecords: batchRecords, logger: logger)
        let erasures = try SiteErasures(dataDirectory: options.data)
        var erased: [String: UInt64] = [:]
        repeat {
            // Deleted sites: their rows leave ClickHouse, their records go as placeholders.
            _ = try erasures.reloadIfChanged()
            let limits = erasures.limits
            for (site, limit) in limits.sorted(by: { $0.key < $1.key }) where erased[site] != limit {
                let deleted = try await replicator.deleteRows(of: site, below: limit)
                if deleted > 0 { print("Deleted \(deleted) rows of deleted site \(site) from ClickHouse.") }
                erased[site] = limit
            }
            let end = (try? JournalStats(directory: options.journal).sequences?.upperBound) ?? 0
            var bar = ProgressBar(title: "replicate", total: Double(max(end, 1)), unit: "records")
            let pass = try await replicator.replicate(erasing: limits) { position in
                bar.update(done: Double(position), count: Double(position), countUnit: "records")
            }
            bar.finish()
            if pass.rows > 0 || once {
                print(
                    "Replicated \(pass.rows) records to ClickHouse as node \(replicator.node) in \(pass.batches) inserts: position \(pass.from) → \(pass.to)."
                )
            }
            if !once { try await Task.sleep(for: .seconds(1)) }
        } while !once
    }
}
