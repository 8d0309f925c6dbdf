import Logging
import ServiceLifecycle

/// Replication into ClickHouse beside ingest (`serve --clickhouse URL`): every second, what became
/// durable in the journal is sent on; a pass that fails (ClickHouse away) is retried, and the next
/// pass starts from what ClickHouse holds, so nothing is sent twice.
public struct ReplicationService: Service {
    let replicator: JournalReplicator
    /// The journal's durable position (the writer's watermark).
    let durable: @Sendable () -> UInt64
    let status: ReplicationStatus
    let logger: Logger

    /// A service sending what `durable` reports durable through `replicator`.
    public init(
        replicator: JournalReplicator, durable: @escaping @Sendable () -> UInt64, status: ReplicationStatus,
        logger: Logger
    ) {
        self.replicator = replicator
        self.durable = durable
        self.status = status
        self.logger = logger
    }

    /// Runs until shutdown.
    public func run() async throws {
        var lastError: String?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let pass = try await replicator.replicate(until: durable())
                status.record(position: pass.to)
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
