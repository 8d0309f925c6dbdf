import Foundation
import Journal
import Logging
import ServiceLifecycle
import Synchronization

/// Stores what `infinity import access-log` hands to the running server: it looks at the spool
/// several times a second and appends every batch found there to the journal, exactly once
/// (``SpoolConsumer``), between the live hits. The projection worker folds them like any other
/// records. A batch that cannot be stored now (a full disk) is tried again in the next look; one
/// this build cannot take is left with a note for the import to report.
public struct SpoolService: Service {
    let consumer: SpoolConsumer
    let interval: Duration
    let metrics: ServerMetrics?
    let logger: Logger

    /// A service taking `consumer`'s batches every `interval`, telling `metrics` how it went.
    public init(
        consumer: SpoolConsumer, interval: Duration = .milliseconds(200), metrics: ServerMetrics? = nil,
        logger: Logger
    ) {
        self.consumer = consumer
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs until shutdown.
    public func run() async throws {
        var lastError: String?
        // Set at shutdown: the consumer stops after the batch it is appending.
        let stopping = Stopping()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let consumer = self.consumer
            let outcome: Result<Int, Error> = await withGracefulShutdownHandler {
                await withCheckedContinuation { continuation in
                    // The consumer blocks while the writer stores a batch: on a Dispatch thread,
                    // not on the concurrency pool.
                    DispatchQueue.global(qos: .utility).async {
                        continuation.resume(
                            returning: Result { try consumer.consumeAll { stopping.flag.withLock { $0 } } })
                    }
                }
            } onGracefulShutdown: {
                stopping.flag.withLock { $0 = true }
            }
            metrics?.recordSpool(
                waiting: (try? consumer.spool.published().count) ?? 0, stored: (try? outcome.get()) ?? 0)
            switch outcome {
            case .success(let stored):
                if stored > 0 { logger.info("stored imported hits from the spool", metadata: ["hits": "\(stored)"]) }
                if lastError != nil { logger.notice("imported hits are stored from the spool again") }
                lastError = nil
            case .failure(let error):
                let message = "\(error)"
                if message != lastError {
                    logger.error(
                        "imported hits in the spool could not be stored; they stay there and are tried again",
                        metadata: ["error": "\(message)"])
                }
                lastError = message
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    private final class Stopping: Sendable {
        let flag = Mutex(false)
    }
}
