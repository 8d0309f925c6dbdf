import Dispatch
import Logging
import Synchronization

/// The journal's one writer: many appenders, one thread that writes blocks, with group commit.
///
/// Appenders hand over records; the writer thread gathers whatever is waiting into a block,
/// writes and (by default) fsyncs it, and only then tells those appenders their records are
/// durable. Records that arrive while a block is being synced share the next block, so one fsync
/// serves many appenders. The queue is bounded (``JournalConfiguration/queueCapacity``): when it is
/// full, appends fail fast with ``JournalError/Code/overloaded`` instead of growing memory.
public final class JournalWriter: Sendable {
    /// A contiguous range of sequence numbers given to appended records.
    public typealias Positions = Range<UInt64>

    private struct Waiter {
        /// How a waiter hears that its records are durable (or failed).
        enum Notify {
            case continuation(CheckedContinuation<Positions, any Error>)
            case callback(@Sendable (Result<Positions, JournalError>) -> Void)
        }

        let end: UInt64
        let notify: Notify
        let positions: Positions

        init(end: UInt64, continuation: CheckedContinuation<Positions, any Error>, positions: Positions) {
            self.end = end
            notify = .continuation(continuation)
            self.positions = positions
        }

        init(end: UInt64, callback: @escaping @Sendable (Result<Positions, JournalError>) -> Void, positions: Positions)
        {
            self.end = end
            notify = .callback(callback)
            self.positions = positions
        }

        func resume(with result: Result<Positions, JournalError>) {
            switch notify {
            case .continuation(let continuation): continuation.resume(with: result.mapError { $0 })
            case .callback(let callback): callback(result)
            }
        }
    }

    private struct State {
        var queue = PendingRecords()
        /// Sequence number the next enqueued record gets.
        var nextAssigned: UInt64
        /// Every record below this sequence number is durable.
        var durable: UInt64
        var waiters: [Waiter] = []
        var firstQueuedAt: Int64 = 0
        var closing = false
        var stopped = false
        var failure: JournalError?
        /// A full disk that no block has been written past yet. The writer goes on: appends are
        /// refused until `refuseUntil` (monotonic ns), then the next block tries again.
        var diskFull: JournalError?
        var refuseUntil: Int64 = 0
        /// Records not stored since the disk filled (refused, or in the block that failed), for the
        /// log line when writing resumes.
        var lostToFullDisk = 0
        /// Closers waiting for the writer thread to stop.
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var queued: Int { queue.count }
    }

    /// Blocks of fewer records are not compressed ahead on the appender's thread (see ``prepare(_:)``).
    static let smallestPreparedBlock = 1024
    private let lock: ConditionLock<State>
    /// The writer thread waits on this for records (or for closing).
    private static let work = 0
    /// Blocking appenders wait on this for their records to become durable (or for a failure).
    private static let progress = 1
    /// The configuration the writer was opened with.
    public let configuration: JournalConfiguration
    private let logger: Logger
    /// Whether the writer may wait for more records before it cuts a block.
    private let lingers: Bool

    /// Opens (and recovers) the journal and starts the writer thread.
    public init(configuration: JournalConfiguration, logger: Logger) throws {
        let appender = try JournalAppender(configuration: configuration, logger: logger)
        self.configuration = configuration
        self.logger = logger
        lingers = configuration.commit.maxDelay > .zero
        let next = appender.nextSequence
        lock = ConditionLock(State(nextAssigned: next, durable: next), conditions: 2)
        let box = AppenderBox(appender)
        do {
            try OSThread.start(named: "infinity-writer") { [self] in self.run(box) }
        } catch {
            try? appender.close()  // gives the journal back (its lock, its reserved space)
            throw error
        }
    }

    /// Every record below this sequence number is durable (readers in this process may read up to it).
    public var durableSequence: UInt64 { lock.withLock { $0.durable } }

    /// The writer's counters, for diagnostics: next sequence to assign, durable watermark, queued records.
    var counters: (assigned: UInt64, durable: UInt64, queued: Int) {
        lock.withLock { ($0.nextAssigned, $0.durable, $0.queued) }
    }

    /// Why the journal cannot take records now, for `/healthz`: the error that stopped the writer (a
    /// failed write or fsync), or a full disk that no block has been written past yet (the writer
    /// goes on and stores records again once there is space); nil while it works.
    public var failure: JournalError? {
        lock.withLock { state in
            (state.failure ?? state.diskFull).flatMap { state.closing && $0.code == .closed ? nil : $0 }
        }
    }

    /// Records waiting for the writer.
    public var queueDepth: Int { lock.withLock { $0.queued } }

    /// Appends records and returns once they are durable (written, and fsynced if the policy says so).
    ///
    /// Throws ``JournalError/Code/overloaded`` at once if the queue is full, and the writer's error if
    /// the block holding them could not be written; in both cases none of these records was stored.
    public func append(_ hits: [Hit]) async throws -> Positions {
        guard !hits.isEmpty else { return durableSequence..<durableSequence }
        let chunks = try prepare(hits)
        return try await withCheckedThrowingContinuation { continuation in
            let result: Result<Void, JournalError> = lock.withLock { state in
                do throws(JournalError) {
                    let positions = try enqueue(chunks, count: hits.count, into: &state)
                    state.waiters.append(
                        Waiter(end: positions.upperBound, continuation: continuation, positions: positions))
                    wakeIfAllWait(state)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            if case .failure(let error) = result { continuation.resume(throwing: error) }
        }
    }

    /// Appends `hits` and calls `done` once they are durable (or could not be stored), on the
    /// writer's thread (or at once on the caller's, when they are refused) — for callers on an
    /// event loop, which must not wait and need no task to resume. Keep `done` short.
    public func append(_ hits: [Hit], done: @escaping @Sendable (Result<Positions, JournalError>) -> Void) {
        guard !hits.isEmpty else { return done(.success(durableSequence..<durableSequence)) }
        let chunks: [PendingRecords.Chunk]
        do {
            chunks = try prepare(hits)
        } catch {
            return done(.failure(error as? JournalError ?? JournalError(.io, "\(error)")))
        }
        append(chunks, count: hits.count, done: done)
    }

    /// Appends blocks encoded elsewhere (``BlockEncoder/payload(_:)``, a ``JournalSpool`` batch),
    /// each as a block of its own and all at consecutive positions, and calls `done` as
    /// ``append(_:done:)`` does. A crash keeps a prefix of them, every block whole or not at all.
    public func append(
        encoded payloads: [BlockEncoder.Payload], done: @escaping @Sendable (Result<Positions, JournalError>) -> Void
    ) {
        let count = payloads.reduce(0) { $0 + $1.recordCount }
        guard count > 0 else { return done(.success(durableSequence..<durableSequence)) }
        append(payloads.map { .encoded($0) }, count: count, done: done)
    }

    private func append(
        _ chunks: [PendingRecords.Chunk], count: Int,
        done: @escaping @Sendable (Result<Positions, JournalError>) -> Void
    ) {
        let refused: JournalError? = lock.withLock { state in
            do throws(JournalError) {
                let positions = try enqueue(chunks, count: count, into: &state)
                state.waiters.append(Waiter(end: positions.upperBound, callback: done, positions: positions))
                wakeIfAllWait(state)
                return nil
            } catch {
                return error
            }
        }
        if let refused { done(.failure(refused)) }
    }

    /// Hands records to the writer and returns at once, before they are durable (the `--ack=buffered`
    /// trade-off: a crash can lose what was queued). Throws if the queue is full or the writer stopped.
    @discardableResult
    public func enqueue(_ hits: [Hit]) throws -> Positions {
        let chunks = try prepare(hits)
        return try lock.withLock { try enqueue(chunks, count: hits.count, into: &$0) }
    }

    /// Bulk appends (half a block or more) are encoded and compressed here, on the appender's own
    /// thread, so that the writer thread only writes: with two cores, that doubles bulk throughput.
    /// Small blocks are left to the writer thread, which compresses each against the blocks before
    /// it (a block compressed here cannot be; that matters only when blocks are small).
    private func prepare(_ hits: [Hit]) throws -> [PendingRecords.Chunk] {
        let maxRecords = configuration.commit.maxRecords
        guard maxRecords >= Self.smallestPreparedBlock, hits.count >= maxRecords / 2 else { return [.records(hits)] }
        return try stride(from: 0, to: hits.count, by: maxRecords).map { start in
            .encoded(try BlockEncoder.payload(hits[start..<min(start + maxRecords, hits.count)]))
        }
    }

    private func enqueue(_ chunks: [PendingRecords.Chunk], count: Int, into state: inout State) throws(JournalError)
        -> Positions
    {
        if let failure = state.failure { throw failure }
        if let full = state.diskFull, ConditionLock<State>.now() < state.refuseUntil {
            // Fail fast while the disk is full; after the pause the next block tries again.
            state.lostToFullDisk += count
            throw full
        }
        guard !state.closing else { throw JournalError(.closed, "the journal writer is shutting down") }
        guard state.queued + count <= configuration.queueCapacity else {
            throw JournalError(
                .overloaded,
                "the journal writer has \(state.queued) records waiting (limit \(configuration.queueCapacity))",
                hint: "Retry shortly; the disk is slower than the incoming traffic")
        }
        let wasEmpty = state.queued == 0
        if wasEmpty { state.firstQueuedAt = ConditionLock<State>.now() }
        for chunk in chunks { state.queue.append(chunk) }
        let start = state.nextAssigned
        state.nextAssigned += UInt64(count)
        // Wake the writer only when it would act on it: it sleeps untimed only on an empty queue,
        // and while it lingers for a fuller block it wakes at its deadline or when a block is full.
        // (A wake-up per record cost a futex call and a context switch each under load.)
        if wasEmpty || state.queued >= configuration.commit.maxRecords { lock.signal(Self.work) }
        return start..<state.nextAssigned
    }

    /// Wakes a writer lingering for a fuller block once every appender waits (while the lock is held).
    private func wakeIfAllWait(_ state: State) {
        guard lingers, let appenders = configuration.appenders, appenders.allWaiting(state.waiters.count) else {
            return
        }
        lock.signal(Self.work)
    }

    /// Waits until everything enqueued so far is durable.
    public func flush() async throws {
        _ = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Positions, any Error>) in
            let immediate: Result<Positions, JournalError>? = lock.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.durable >= state.nextAssigned { return .success(state.durable..<state.durable) }
                let end = state.nextAssigned
                state.waiters.append(Waiter(end: end, continuation: continuation, positions: end..<end))
                return nil
            }
            if let immediate { continuation.resume(with: immediate.mapError { $0 }) }
        }
    }

    /// Writes what is queued, syncs, releases the journal and stops the thread. Appends after this fail.
    public func close() async throws {
        lock.withLock { state in
            state.closing = true
            lock.signal(Self.work)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = lock.withLock { state in
                if !state.stopped { state.stopWaiters.append(continuation) }
                return state.stopped
            }
            if stopped { continuation.resume() }
        }
        if let failure = lock.withLock({ $0.failure }), failure.code != .closed { throw failure }
    }

    // MARK: Blocking variants, for threads outside Swift concurrency (tools, benchmarks)

    /// Appends records and blocks the calling thread until they are durable (or could not be
    /// stored: it waits for its own records, so a block dropped on a full disk is reported here).
    /// Do not call from a Swift concurrency task; use ``append(_:)`` there.
    @discardableResult
    public func appendBlocking(_ hits: [Hit]) throws -> Positions {
        try waitFor { append(hits, done: $0) }
    }

    /// ``append(encoded:done:)``, blocking the calling thread until the blocks are durable.
    @discardableResult
    public func appendBlocking(encoded payloads: [BlockEncoder.Payload]) throws -> Positions {
        try waitFor { append(encoded: payloads, done: $0) }
    }

    /// Starts an append with a completion and waits for it.
    private func waitFor(
        _ start: (@escaping @Sendable (Result<Positions, JournalError>) -> Void) -> Void
    ) throws -> Positions {
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        start { result in
            outcome.result.withLock { $0 = result }
            finished.signal()
        }
        finished.wait()
        return try outcome.result.withLock { $0 }!.get()
    }

    /// One append's outcome, handed from the writer's thread to the waiting one.
    private final class Outcome: Sendable {
        let result = Mutex<Result<Positions, JournalError>?>(nil)
    }

    /// Blocks until everything enqueued so far is durable.
    public func flushBlocking() throws {
        try waitUntilDurable(lock.withLock { $0.nextAssigned })
    }

    /// Writes what is queued, releases the journal and stops the thread, blocking until done.
    public func closeBlocking() throws {
        lock.withLock { state in
            state.closing = true
            lock.signal(Self.work)
        }
        try lock.wait(on: Self.progress) { state -> ConditionLock<State>.Step<Void> in
            guard state.stopped else { return .wait }
            if let failure = state.failure, failure.code != .closed { throw failure }
            return .done(())
        }
    }

    private func waitUntilDurable(_ target: UInt64) throws {
        try lock.wait(on: Self.progress) { state -> ConditionLock<State>.Step<Void> in
            if state.durable >= target { return .done(()) }
            if let failure = state.failure { throw failure }
            return .wait
        }
    }

    // MARK: The writer thread

    /// Owns the appender; only the writer thread touches it.
    private final class AppenderBox: @unchecked Sendable {  // used by the writer thread alone
        let appender: JournalAppender
        init(_ appender: JournalAppender) { self.appender = appender }
    }

    /// How the disk's state changed with a block, for the log.
    private enum DiskChange {
        /// A write found the disk full (the first since it had room).
        case full(JournalError)
        /// A block was written after the disk was full; this many records were not stored meanwhile.
        case hasRoom(notStored: Int)
    }

    /// What the writer thread does next.
    private enum Step {
        /// Write these records as the next block.
        case write(PendingRecords.Batch)
        /// Fsync the blocks written since the last fsync (``CommitPolicy/Sync/periodic``).
        case sync
        /// Stop: closing with nothing queued (or a queue with nothing to take, which cannot be).
        case stop
    }

    /// Drops every queued record (none was stored) and returns every waiter, to be told so.
    private func drop(_ state: inout State) -> [Waiter] {
        state.queue.removeAll()
        state.nextAssigned = state.durable
        lock.broadcast(Self.progress)
        defer { state.waiters.removeAll() }
        return state.waiters
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    private func run(_ box: AppenderBox) {
        let appender = box.appender
        let maxRecords = configuration.commit.maxRecords
        let delay = configuration.commit.maxDelay
        let delayNanoseconds = Self.nanoseconds(delay)
        let retryNanoseconds = configuration.diskFullRetry.map(Self.nanoseconds)
        // With periodic syncs: how long a written block may wait for its fsync, and when the
        // oldest block written since the last one is due (monotonic ns).
        let syncInterval =
            configuration.commit.sync == .periodic ? Self.nanoseconds(configuration.commit.syncInterval) : nil
        var syncDue: Int64?
        // The waiters answered after each block (the array is reused).
        var ready: [Waiter] = []
        while true {
            let step = lock.wait(on: Self.work) { state -> ConditionLock<State>.Step<Step> in
                // A due fsync comes first, so that a writer that is never idle still syncs.
                if let syncDue, ConditionLock<State>.now() >= syncDue { return .done(.sync) }
                if state.queued == 0 {
                    if state.closing { return .done(.stop) }
                    return syncDue.map { .waitUntil($0) } ?? .wait
                }
                if state.queued < maxRecords && !state.closing && delayNanoseconds > 0 {
                    let deadline = state.firstQueuedAt + delayNanoseconds
                    if ConditionLock<State>.now() < deadline {
                        // Nobody is left to add to the block when every appender is waiting for it.
                        guard let appenders = configuration.appenders, appenders.allWaiting(state.waiters.count)
                        else { return .waitUntil(min(deadline, syncDue ?? deadline)) }
                        appenders.cutEarly()
                    }
                }
                return .done(state.queue.peek(maxRecords).map { .write($0) } ?? .stop)
            }
            if case .sync = step {
                do {
                    let start = ContinuousClock.now
                    try appender.sync()
                    syncDue = nil
                    configuration.syncObserver?((ContinuousClock.now - start).inSeconds)
                    continue
                } catch {
                    // The blocks since the last fsync may be lost: no more records are taken.
                    let error = error as? JournalError ?? JournalError(.io, "\(error)")
                    let failed = lock.withLock { state in
                        state.failure = error
                        return drop(&state)
                    }
                    for waiter in failed { waiter.resume(with: .failure(error)) }
                    logger.error("journal writer stopped", metadata: ["error": "\(error)"])
                    break
                }
            }
            guard case .write(let batch) = step else { break }
            let outcome: Result<BlockHeader, JournalError>
            do {
                switch batch {
                case .records(let hits): outcome = .success(try appender.append(hits))
                case .encoded(let payload): outcome = .success(try appender.append(payload))
                }
            } catch let error as JournalError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(JournalError(.io, "\(error)"))
            }
            if case .success = outcome {
                if let syncInterval, syncDue == nil { syncDue = ConditionLock<State>.now() + syncInterval }
                configuration.blockObserver?(appender.lastBlockBytes)
                if let seconds = appender.lastSyncSeconds { configuration.syncObserver?(seconds) }
            }
            let (failure, change) = lock.withLock { state -> (JournalError?, DiskChange?) in
                switch outcome {
                case .success(let header):
                    state.queue.removeFirst(batch.count)
                    if state.queued > 0 { state.firstQueuedAt = ConditionLock<State>.now() }
                    state.durable = header.endSequence
                    lock.broadcast(Self.progress)  // wake blocking appenders
                    // Waiters are in order of their records. The durable ones move to `ready`, whose
                    // storage the writer keeps, and the rest shift down in place: a block costs no
                    // new arrays and no copies of the waiters still waiting.
                    let count = state.waiters.firstIndex { $0.end > state.durable } ?? state.waiters.count
                    ready.append(contentsOf: state.waiters[..<count])
                    state.waiters.removeSubrange(..<count)
                    var change: DiskChange?
                    if state.diskFull != nil {
                        change = .hasRoom(notStored: state.lostToFullDisk)
                        state.diskFull = nil
                        state.lostToFullDisk = 0
                    }
                    return (nil, change)
                case .failure(let error):
                    // Nothing queued was acknowledged: fail every waiter. The appender cut the
                    // partial block, so the journal on disk is intact. A full disk pauses appends
                    // (the same write works once there is space); any other error stops the writer.
                    var change: DiskChange?
                    if error.code == .diskFull, let retryNanoseconds {
                        if state.diskFull == nil { change = .full(error) }
                        state.diskFull = error
                        state.refuseUntil = ConditionLock<State>.now() + retryNanoseconds
                        state.lostToFullDisk += state.queued
                    } else {
                        state.failure = error
                    }
                    ready.append(contentsOf: drop(&state))
                    return (error, change)
                }
            }
            for waiter in ready { waiter.resume(with: failure.map { .failure($0) } ?? .success(waiter.positions)) }
            ready.removeAll(keepingCapacity: true)
            switch change {
            case .full(let error):
                logger.error(
                    "the disk is full: records are refused until a block can be written again",
                    metadata: ["error": "\(error)", "retry": "every \(configuration.diskFullRetry ?? .zero)"])
            case .hasRoom(let notStored):
                logger.notice(
                    "the disk has room again: the journal takes records again",
                    metadata: ["not_stored_meanwhile": "\(notStored)"])
            case nil: break
            }
            if case .failure(let error) = outcome, error.code != .diskFull || configuration.diskFullRetry == nil {
                logger.error("journal writer stopped", metadata: ["error": "\(error)"])
                break
            }
        }
        var closeError: JournalError?
        do { try appender.close() } catch { closeError = error as? JournalError }
        let (leftovers, closers): ([Waiter], [CheckedContinuation<Void, Never>]) = lock.withLock { state in
            state.stopped = true
            lock.broadcast(Self.progress)
            if state.failure == nil {
                state.failure = closeError ?? JournalError(.closed, "the journal writer is closed")
            }
            let waiters = state.waiters
            state.waiters.removeAll()
            let closers = state.stopWaiters
            state.stopWaiters.removeAll()
            return (waiters, closers)
        }
        for waiter in leftovers { waiter.resume(with: .failure(JournalError(.closed, "the journal writer is closed"))) }
        for closer in closers { closer.resume() }
    }
}
