import Dispatch
import Journal
import Synchronization

/// A thread of its own on which the projection service runs its rounds, one at a time.
///
/// A catch-up allocates, and then frees, a few hundred bytes for every hit of the open day. On
/// Dispatch's pool each round could run on another thread, and glibc gives each thread its own
/// malloc arena that keeps what was freed in it, so the server kept one round's peak once for
/// every thread a round had run on. On one thread every round reuses the same memory: with a
/// 2-million-hit day, peak memory fell from 623–658 MB to 478 MB (Docs/benchmarks.md).
final class FoldThread: Sendable {
    /// Jobs in order; nil ends the thread.
    private let jobs = Mutex<[(@Sendable () -> Void)?]>([])
    private let available = DispatchSemaphore(value: 0)

    /// Starts the thread, named `name` (at most 15 bytes, Linux's limit, or the system keeps the
    /// name it inherited). Throws when the system cannot start another thread.
    init(name: String) throws {
        try OSThread.start(named: name) { [self] in work() }
    }

    /// Runs `job` on the thread after the jobs submitted before it.
    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        available.signal()
    }

    /// Ends the thread once the jobs submitted before have run.
    func stop() {
        jobs.withLock { $0.append(nil) }
        available.signal()
    }

    private func work() {
        while true {
            available.wait()
            guard let job = jobs.withLock({ $0.removeFirst() }) else { return }
            job()
        }
    }
}
