import Dispatch
import Foundation
import Journal
import Logging
import Projections
import ServiceLifecycle
import Synchronization

/// What the projection worker last did, for `/metrics`.
public final class ProjectionStatus: Sendable {
    struct State {
        var position: UInt64 = 0
        var lastDuration: Double = 0
        var failures: Int = 0
    }

    private let state = Mutex(State())

    /// An empty status.
    public init() {}

    /// The journal position the rollups cover.
    public var position: UInt64 { state.withLock { $0.position } }
    /// Seconds the last catch-up took.
    public var lastDuration: Double { state.withLock { $0.lastDuration } }
    /// Catch-ups that failed since start.
    public var failures: Int { state.withLock { $0.failures } }

    func record(position: UInt64, duration: Double) {
        state.withLock {
            $0.position = position
            $0.lastDuration = duration
        }
    }

    func recordFailure() { state.withLock { $0.failures += 1 } }
}

/// The projection worker as a long-running service: folds what becomes durable in the journal
/// into the rollups every few seconds, and applies the retention settings every hour.
///
/// The fold runs on a Dispatch thread (it reads files and uses the CPU), never on the Swift
/// concurrency pool that serves requests. The pause between catch-ups grows with their cost
/// (four times the last one), so a busy day never takes more than a fifth of a core.
public struct ProjectionService: Service {
    /// The worker.
    public let worker: ProjectionWorker
    /// The journal writer whose durable watermark bounds each catch-up.
    public let writer: JournalWriter
    /// Retention to apply every hour, if any.
    public let retention: Retention?
    /// The shortest pause between catch-ups.
    public let interval: Duration
    /// Shared with `/metrics`.
    public let status: ProjectionStatus
    let logger: Logger

    /// A service.
    public init(
        worker: ProjectionWorker, writer: JournalWriter, retention: Retention?, interval: Duration = .seconds(2),
        status: ProjectionStatus, logger: Logger
    ) {
        self.worker = worker
        self.writer = writer
        self.retention = retention
        self.interval = interval
        self.status = status
        self.logger = logger
    }

    /// Runs until shutdown.
    public func run() async throws {
        var nextRetention = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            let until = writer.durableSequence
            do {
                let report = try await offThread { try worker.catchUp(until: until) }
                let elapsed = ContinuousClock.now - started
                status.record(
                    position: report.to,
                    duration: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                if let retention, ContinuousClock.now >= nextRetention {
                    nextRetention = ContinuousClock.now + .seconds(3600)
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    _ = try await offThread {
                        try retention.apply(now: now, worker: worker, until: until, logger: logger)
                    }
                }
            } catch {
                status.recordFailure()
                logger.error("projection worker failed; will retry", metadata: ["error": "\(error)"])
            }
            let pause = max(interval, (ContinuousClock.now - started) * 4)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    private func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
