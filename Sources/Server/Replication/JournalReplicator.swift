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
    /// Where they go.
    public let client: ClickHouseClient
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

    /// A replicator of `journal` into `client` as `node`.
    public init(
        journal: JournalDirectory, client: ClickHouseClient, node: String, batchRecords: Int = 100_000,
        logger: Logger
    ) throws {
        guard !node.isEmpty, node.utf8.count <= 200 else {
            throw ServerError("the node name must be 1 to 200 characters", code: "invalid-argument")
        }
        self.journal = journal
        self.client = client
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

    /// The next sequence number ClickHouse lacks for this node (0 when it holds none).
    public func replicatedPosition() async throws -> UInt64 {
        let escaped = node.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        let text = try await client.execute(
            "SELECT count(), max(sequence) FROM \(client.database).\(ClickHouseSchema.table) WHERE node = '\(escaped)' FORMAT TabSeparated"
        )
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t")
        guard fields.count == 2, let count = UInt64(fields[0]), let max = UInt64(fields[1]) else {
            throw ServerError("ClickHouse gave an unexpected answer: \(text.prefix(200))", code: "clickhouse")
        }
        return count == 0 ? 0 : max + 1
    }

    /// Sends every durable record (below `until`) that ClickHouse lacks; `progress` hears of each
    /// insert with the position reached.
    public func replicate(until: UInt64? = nil, progress: (UInt64) -> Void = { _ in }) async throws -> Pass {
        try await client.prepare()
        let start = try await replicatedPosition()
        var pass = Pass(from: start, to: start, rows: 0, batches: 0)
        var writer = RowBinaryWriter()
        var nextSequence = start
        var batchMonth = -1
        var blocks: BlockIterator
        do {
            blocks = try JournalReader(directory: journal).blocks(BlockSelection(from: start), skipDamaged: true)
        } catch let error as JournalError where error.code == .notFound {
            return pass  // no journal yet
        }
        func flush() async throws {
            guard writer.rows > 0 else { return }
            try await client.insert(table: ClickHouseSchema.table, rowBinary: writer.bytes)
            pass.rows += writer.rows
            pass.batches += 1
            pass.to = nextSequence
            progress(nextSequence)
            writer = RowBinaryWriter()
        }
        while let block = try blocks.next() {
            let first = block.header.firstSequence
            for index in 0..<block.count {
                let sequence = first + UInt64(index)
                guard sequence >= start else { continue }
                if let until, sequence >= until { break }
                let hit = block[index]
                let month = Self.month(of: hit.timestamp)
                if month != batchMonth {
                    try await flush()
                    batchMonth = month
                }
                writer.append(hit, node: node, sequence: sequence)
                nextSequence = sequence + 1
                if writer.rows >= batchRecords { try await flush() }
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
