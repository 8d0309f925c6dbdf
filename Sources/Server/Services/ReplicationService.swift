import Foundation
import Journal
import Logging
import Projections
import ServiceLifecycle

/// Replication into ClickHouse beside ingest (`serve --clickhouse URL`): every second, what became
/// durable in the journal is sent on; a pass that fails (ClickHouse away) is retried, and the next
/// pass starts from what ClickHouse holds, so nothing is sent twice.
public struct ReplicationService: Service {
    let replicator: JournalReplicator
    /// The journal's durable position (the writer's watermark).
    let durable: @Sendable () -> UInt64
    let status: ReplicationStatus
    /// The journal's retention, applied to this node's rows in ClickHouse too (hourly).
    let retention: LiveSetting<Retention?>?
    /// Deleted sites' erasures (the server's calendar holds them): their rows are deleted from
    /// ClickHouse, and their records replicated as placeholders.
    let erasures: @Sendable () -> [String: UInt64]
    let logger: Logger

    /// A service sending what `durable` reports durable through `replicator`.
    public init(
        replicator: JournalReplicator, durable: @escaping @Sendable () -> UInt64, status: ReplicationStatus,
        retention: LiveSetting<Retention?>? = nil, erasures: @escaping @Sendable () -> [String: UInt64] = { [:] },
        logger: Logger
    ) {
        self.replicator = replicator
        self.durable = durable
        self.status = status
        self.retention = retention
        self.erasures = erasures
        self.logger = logger
    }

    /// Runs until shutdown.
    public func run() async throws {
        var lastError: String?
        var nextRetention = ContinuousClock.now
        var lastDays: Int?
        var erased: [String: UInt64] = [:]  // erasures already applied to ClickHouse by this process
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let limits = erasures()
                for (site, limit) in limits.sorted(by: { $0.key < $1.key }) where erased[site] != limit {
                    let deleted = try await replicator.deleteRows(of: site, below: limit)
                    logger.info(
                        "deleted a deleted site's rows from ClickHouse",
                        metadata: ["site": "\(site)", "rows": "\(deleted)"])
                    erased[site] = limit
                }
                let pass = try await replicator.replicate(until: durable(), erasing: limits)
                status.record(position: pass.to)
                // Hourly, and at once when the policy changed (SIGHUP): ClickHouse's copy of this
                // node's rows keeps no more days than its journal.
                let days = retention?.value?.journalDays
                if let days, ContinuousClock.now >= nextRetention || days != lastDays {
                    let cutoff = Int64(Date().timeIntervalSince1970 * 1000) - Int64(days) * LocalClock.dayLength
                    let deleted = try await replicator.deleteRows(olderThan: cutoff)
                    if deleted > 0 {
                        logger.info(
                            "retention: deleting this node's old rows from ClickHouse", metadata: ["rows": "\(deleted)"]
                        )
                    }
                    nextRetention = ContinuousClock.now + .seconds(3600)
                    lastDays = days
                }
                if lastError != nil { logger.notice("replication into ClickHouse works again") }
                lastError = nil
            } catch {
                let message = "\(error)"
                status.record(failure: message)
                if message != lastError {
                    logger.error(
                        "replication into ClickHouse failed; retrying every second", metadata: ["error": "\(message)"])
                }
                lastError = message
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
