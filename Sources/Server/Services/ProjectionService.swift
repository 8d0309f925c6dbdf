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
        var damagedRecords: UInt64 = 0
        var damage: [String] = []
        var busy = false
        var lastError: String?
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

    /// Why the last catch-up failed, naming no path (nil when it succeeded): the rollups are not
    /// kept current meanwhile.
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Journal records left out of the rollups because they could not be read (0: none).
    public var damagedRecords: UInt64 { state.withLock { $0.damagedRecords } }
    /// One line per damaged range, naming segment files only (for `/healthz`).
    public var damage: [String] { state.withLock { $0.damage } }

    func record(position: UInt64, duration: Double) {
        state.withLock {
            $0.position = position
            $0.lastDuration = duration
            $0.lastError = nil
        }
    }

    /// Notes the damage the current rollups leave out (their manifest's list).
    public func record(damaged: [DamagedRange]) {
        state.withLock {
            $0.damagedRecords = damaged.reduce(0) { $0 + $1.lostRecords }
            $0.damage = damaged.map(\.description)
        }
    }

    func recordFailure(_ error: any Error) {
        let reason =
            (error as? ProjectionError)?.message ?? (error as? JournalError)?.message
            ?? "the rollups could not be updated"
        state.withLock {
            $0.failures += 1
            $0.lastError = reason
        }
    }
}

/// The projection worker as a long-running service: folds what becomes durable in the journal
/// into the rollups every few seconds, and applies the retention settings every hour.
///
/// The fold runs on a thread of its own (``FoldThread``: it reads files and uses the CPU, and one
/// thread keeps one malloc arena), never on the Swift concurrency pool that serves requests.
///
/// A catch-up refolds each open day whole, so its cost grows with the day, however little
/// arrived. The pause after it grows with that cost (``pause(after:interval:)``): the fold takes
/// at most 2 % of a core as long as that keeps the rollups within 15 s, and at most a fifth of a
/// core beyond.
public struct ProjectionService: Service {
    /// The worker.
    public let worker: ProjectionWorker
    /// The journal writer whose durable watermark bounds each catch-up.
    public let writer: JournalWriter
    /// Retention to apply every hour, if any (it may change while the server runs).
    public let retention: LiveSetting<Retention?>
    /// The shortest pause between catch-ups.
    public let interval: Duration
    /// Shared with `/metrics`.
    public let status: ProjectionStatus
    /// Run every hour beside retention (deleting expired import secrets).
    let housekeeping: @Sendable () -> Void
    let logger: Logger
    /// A fault that lasts (a full disk, damaged rollups) fails every round: logged once a minute.
    private let failureLog = ThrottledLog()

    /// A service.
    public init(
        worker: ProjectionWorker, writer: JournalWriter, retention: LiveSetting<Retention?>,
        interval: Duration = .seconds(2),
        status: ProjectionStatus, housekeeping: @escaping @Sendable () -> Void = {}, logger: Logger
    ) {
        self.housekeeping = housekeeping
        self.worker = worker
        self.writer = writer
        self.retention = retention
        self.interval = interval
        self.status = status
        self.logger = logger
    }

    /// Runs until shutdown. A fold or retention pass in progress when shutdown begins is not
    /// waited for (it runs on a thread of its own and writes atomically, so leaving it is safe):
    /// the service returns at once, so SIGTERM stops the server whatever the worker is doing.
    public func run() async throws {
        let thread = try FoldThread(name: "infinity-rollup")
        defer { thread.stop() }
        var nextRetention = ContinuousClock.now
        var nextHousekeeping = ContinuousClock.now
        var lastRetention: Retention?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            let until = writer.durableSequence
            // What the catch-up took (the hourly chores after it do not lengthen the pause).
            var cost = Duration.zero
            do {
                // Another process (a rebuild, retention) holding the rollups makes this round a no-op.
                guard let report = try await offThread(thread, { try worker.catchUp(until: until, wait: false) }) else {
                    break
                }
                cost = ContinuousClock.now - started
                if report.busy {
                    logger.debug("rollups are locked by another process (a rebuild?); folding later")
                } else {
                    status.record(
                        position: report.to,
                        duration: Double(cost.components.seconds) + Double(cost.components.attoseconds) / 1e18)
                }
                if let quarantined = report.quarantined { status.record(damaged: quarantined) }
                if ContinuousClock.now >= nextHousekeeping {
                    nextHousekeeping = ContinuousClock.now + .seconds(3600)
                    // Sweeping old import secrets, compacting sealed segments: seconds at most, off the loop.
                    _ = try await offThread(thread) { housekeeping() }
                }
                // Hourly, and at once when the policy changed (SIGHUP).
                if let retention = retention.value, !report.busy,
                    ContinuousClock.now >= nextRetention || retention != lastRetention
                {
                    nextRetention = ContinuousClock.now + .seconds(3600)
                    lastRetention = retention
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    let applied = try await offThread(thread) {
                        try retention.apply(now: now, worker: worker, until: until, logger: logger)
                    }
                    guard applied != nil else { break }
                }
            } catch {
                if cost == .zero { cost = ContinuousClock.now - started }
                status.recordFailure(error)
                failureLog.error("projection worker failed; will retry", metadata: ["error": "\(error)"], to: logger)
            }
            let pause = Self.pause(after: cost, interval: interval)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    /// The pause after a round that took `cost`: at least the interval; fifty times the cost (2 % of
    /// a core) up to 15 s; and never less than four times the cost (a fifth of a core), however
    /// long that is. With a 2-million-hit open day a catch-up takes about 0.3 s: rounds every 15 s
    /// instead of every 2 s, which had kept 14 % of a core busy while hits trickled in.
    static func pause(after cost: Duration, interval: Duration) -> Duration {
        max(interval, min(cost * 50, .seconds(15)), cost * 4)
    }

    /// Runs `body` on the service's own thread; nil when shutdown began first (the body runs on, unwatched).
    private func offThread<T: Sendable>(_ thread: FoldThread, _ body: @escaping @Sendable () throws -> T) async throws
        -> T?
    {
        let waiter = OnceContinuation<T?>()
        return try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiter.set(continuation)
                thread.submit { waiter.resume(with: Result { try body() }) }
            }
        } onGracefulShutdown: {
            waiter.resume(with: .success(nil))
        }
    }
}

/// A continuation that the first of several parties resumes; the others are ignored.
final class OnceContinuation<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Error>?
        var early: Result<T, Error>?
        var done = false
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, Error>) {
        let early: Result<T, Error>? = state.withLock { state in
            if let early = state.early {
                state.early = nil
                return early
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<T, Error>) {
        let continuation: CheckedContinuation<T, Error>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = result
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }
}
