import Foundation
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
    let logger: Logger

    /// A service sending what `durable` reports durable through `replicator`.
    public init(
        replicator: JournalReplicator, durable: @escaping @Sendable () -> UInt64, status: ReplicationStatus,
        retention: LiveSetting<Retention?>? = nil, logger: Logger
    ) {
        self.replicator = replicator
        self.durable = durable
        self.status = status
        self.retention = retention
        self.logger = logger
    }

    /// Runs until shutdown.
    public func run() async throws {
        var lastError: String?
        var nextRetention = ContinuousClock.now
        var lastDays: Int?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let pass = try await replicator.replicate(until: durable())
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
