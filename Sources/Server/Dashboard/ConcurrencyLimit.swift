import Synchronization

/// At most `limit` of something at once: ``tryEnter()`` says whether one more may start.
final class ConcurrencyLimit: Sendable {
    let limit: Int
    private let running = Mutex(0)

    init(_ limit: Int) { self.limit = limit }

    /// Starts one if fewer than ``limit`` run; whether it did (then call ``leave()``).
    func tryEnter() -> Bool {
        running.withLock { running in
            guard running < limit else { return false }
            running += 1
            return true
        }
    }

    /// Ends one started by ``tryEnter()``.
    func leave() { running.withLock { $0 -= 1 } }
}
