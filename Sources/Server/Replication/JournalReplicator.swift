import Foundation
import Journal
import Logging
import Projections

/// Ships the journal's records into ClickHouse exactly once.
///
/// Every row carries this node's name and the record's journal sequence number. Before sending,
/// the replicator asks ClickHouse for the highest sequence number it holds for this node and goes
/// on from the next record, so a replicator killed at any point — before, during or after an
/// insert — resumes without a gap or a repeat. This rests on one property of ClickHouse: an
/// `INSERT` of fewer rows than `max_insert_block_size` (1,048,576) into a `MergeTree` table becomes
/// one part per partition, written whole or not at all; batches are kept well below that size
/// and never span two months (the table's partitions), so every insert is one part.
public struct JournalReplicator: Sendable {
    /// Where the records come from.
    public let journal: JournalDirectory
    /// Where they go: one server, or a cluster's shards.
    public let cluster: ClickHouseCluster
    /// The (first) server.
    public var client: ClickHouseClient { cluster.first }
    /// This node's name, unique among the nodes writing to one ClickHouse.
    public let node: String
    /// Records per insert (≤ 500,000).
    public let batchRecords: Int
    let logger: Logger

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        /// The journal position ClickHouse held for this node before the pass (next sequence).
        public var from: UInt64
        /// The position after it.
        public var to: UInt64
        /// Rows inserted.
        public var rows: Int
        /// Inserts made.
        public var batches: Int
    }

    /// A replicator of `journal` into one server, `client`, as `node`.
    public init(
        journal: JournalDirectory, client: ClickHouseClient, node: String, batchRecords: Int = 100_000,
        logger: Logger
    ) throws {
        try self.init(
            journal: journal, cluster: ClickHouseCluster(client), node: node, batchRecords: batchRecords,
            logger: logger)
    }

    /// A replicator of `journal` into `cluster` as `node`.
    public init(
        journal: JournalDirectory, cluster: ClickHouseCluster, node: String, batchRecords: Int = 100_000,
        logger: Logger
    ) throws {
        guard !node.isEmpty, node.utf8.count <= 200 else {
            throw ServerError("the node name must be 1 to 200 characters", code: "invalid-argument")
        }
        self.journal = journal
        self.cluster = cluster
        self.node = node
        self.batchRecords = max(1, min(batchRecords, 500_000))
        self.logger = logger
    }

    /// The table's partition (year × 12 + month, UTC) of a timestamp.
    static func month(of timestamp: Int64) -> Int {
        let day = timestamp >= 0 ? timestamp / 86_400_000 : (timestamp + 1) / 86_400_000 - 1
        let civil = DayKey.civil(day)
        return Int(civil.year * 12 + civil.month)
    }

    /// The next sequence number ClickHouse lacks for this node (0 when it holds none); with shards,
    /// the lowest of the shards' (each shard holds an ordered subsequence of the records).
    public func replicatedPosition() async throws -> UInt64 {
        try await shardPositions().min() ?? 0
    }

    /// Each shard's next sequence number for this node.
    func shardPositions() async throws -> [UInt64] {
        var positions: [UInt64] = []
        for shard in cluster.shards {
            let text = try await shard.execute(
                "SELECT count(), max(sequence) FROM \(shard.database).\(ClickHouseSchema.table) WHERE node = \(ClickHouseSQL.string(node)) FORMAT TabSeparated"
            )
            let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t")
            guard fields.count == 2, let count = UInt64(fields[0]), let max = UInt64(fields[1]) else {
                throw ServerError("ClickHouse gave an unexpected answer: \(text.prefix(200))", code: "clickhouse")
            }
            positions.append(count == 0 ? 0 : max + 1)
        }
        return positions
    }

    /// Deletes this node's rows older than `cutoff` (ms UTC) from ClickHouse, as the journal's
    /// retention deletes its old segments (`serve --retention`). Returns the rows found to delete;
    /// ClickHouse removes them in the background (an `ALTER TABLE … DELETE` mutation), asked only
    /// when there are any.
    public func deleteRows(olderThan cutoff: Int64) async throws -> Int {
        try await deleteRows(where: "node = \(ClickHouseSQL.string(node)) AND time_ms < \(cutoff)", wait: false)
    }

    /// Deletes this node's rows of a deleted `site` below sequence number `limit` from every shard
    /// (``SiteErasures``), and waits until ClickHouse has removed them; how many there were.
    public func deleteRows(of site: String, below limit: UInt64) async throws -> Int {
        try await cluster.prepare()
        var condition = "node = \(ClickHouseSQL.string(node)) AND site = \(ClickHouseSQL.string(site))"
        if limit < UInt64(Int64.max) { condition += " AND sequence < \(limit)" }
        return try await deleteRows(where: condition, wait: true)
    }

    /// Deletes the rows matching `condition` on every shard where there are any; with `wait`,
    /// until the mutation is done (a minute at most: `mutations_sync` is not in every ClickHouse
    /// version this supports).
    private func deleteRows(where condition: String, wait: Bool) async throws -> Int {
        var found = 0
        for shard in cluster.shards {
            let table = "\(shard.database).\(ClickHouseSchema.table)"
            let text = try await shard.execute("SELECT count() FROM \(table) WHERE \(condition) FORMAT TabSeparated")
            let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            guard count > 0 else { continue }
            try await shard.execute("ALTER TABLE \(table) DELETE WHERE \(condition)")
            found += count
            guard wait else { continue }
            let pending = """
                SELECT count() FROM system.mutations WHERE database = \(ClickHouseSQL.string(shard.database)) \
                AND table = \(ClickHouseSQL.string(ClickHouseSchema.table)) AND is_done = 0 FORMAT TabSeparated
                """
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline,
                try await shard.execute(pending).trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return found
    }

    /// Sends every durable record (below `until`) that ClickHouse lacks; `progress` hears of each
    /// insert with the position reached. With shards, each site's records go to its shard, and a
    /// shard that already holds a record (an earlier pass stopped between two shards' inserts) is
    /// not sent it again.
    /// Records of deleted sites (`erasing`, ``SiteErasures/limits``) go as empty placeholders.
    public func replicate(
        until: UInt64? = nil, erasing: [String: UInt64] = [:], progress: (UInt64) -> Void = { _ in }
    ) async throws -> Pass {
        try await cluster.prepare()
        let positions = try await shardPositions()
        let start = positions.min() ?? 0
        var pass = Pass(from: start, to: start, rows: 0, batches: 0)
        var writers = cluster.shards.map { _ in RowBinaryWriter() }
        var shardOf: [String: Int] = [:]
        var nextSequence = start
        var batchMonth = -1
        var blocks: BlockIterator
        do {
            blocks = try JournalReader(directory: journal).blocks(BlockSelection(from: start), skipDamaged: true)
        } catch let error as JournalError where error.code == .notFound {
            return pass  // no journal yet
        }
        func flush() async throws {
            for (index, writer) in writers.enumerated() where writer.rows > 0 {
                try await cluster.shards[index].insert(table: ClickHouseSchema.table, rowBinary: writer.bytes)
                pass.rows += writer.rows
                pass.batches += 1
                writers[index] = RowBinaryWriter()
            }
            pass.to = nextSequence
            progress(nextSequence)
        }
        while let block = try blocks.next() {
            let first = block.header.firstSequence
            if cluster.shards.count > 1 {
                let unknown = Set((0..<block.count).map { block[$0].site }).filter { shardOf[$0] == nil }
                shardOf.merge(try await cluster.shardIndexes(of: unknown.sorted())) { old, _ in old }
            }
            for index in 0..<block.count {
                let sequence = first + UInt64(index)
                guard sequence >= start else { continue }
                if let until, sequence >= until { break }
                var hit = block[index]
                if let limit = erasing[hit.site], sequence < limit { hit = SiteErasures.placeholder(for: hit) }
                let shard = shardOf[hit.site] ?? 0
                guard sequence >= positions[shard] else {
                    nextSequence = sequence + 1  // that shard has it already
                    continue
                }
                let month = Self.month(of: hit.timestamp)
                if month != batchMonth {
                    try await flush()
                    batchMonth = month
                }
                writers[shard].append(hit, node: node, sequence: sequence)
                nextSequence = sequence + 1
                if writers[shard].rows >= batchRecords { try await flush() }
            }
            if let until, nextSequence >= until { break }
        }
        try await flush()
        for damage in blocks.damaged {
            logger.warning(
                "records the journal cannot read were not replicated",
                metadata: ["records": "\(damage.firstSequence)..<\(damage.endSequence)", "file": "\(damage.fileName)"])
        }
        return pass
    }
}
