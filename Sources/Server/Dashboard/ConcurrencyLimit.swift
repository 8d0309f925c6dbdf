import Synchronization

/// At most `limit` of something at once; up to `queue` more wait their turn (in order), and the
/// rest are refused at once — so one dashboard page's burst of questions is answered, while a
/// flood neither runs unbounded nor piles up without end.
final class ConcurrencyLimit: Sendable {
    let limit: Int
    let queue: Int

    private struct State {
        var running = 0
        var waiting: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    init(_ limit: Int, queue: Int) {
        self.limit = limit
        self.queue = queue
    }

    /// Starts one now, or after waiting at most `timeout` for a turn; whether it may run (then
    /// call ``leave()`` when done).
    func enter(timeout: Duration) async -> Bool {
        enum Now { case run, refuse, wait(UInt64) }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Now in
                if state.running < limit {
                    state.running += 1
                    return .run
                }
                guard state.waiting.count < queue else { return .refuse }
                state.waiting.append((id, continuation))
                return .wait(id)
            }
            switch now {
            case .run: continuation.resume(returning: true)
            case .refuse: continuation.resume(returning: false)
            case .wait(let id):
                Task {
                    try? await Task.sleep(for: timeout)
                    let expired = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                        guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                        return state.waiting.remove(at: index).continuation
                    }
                    expired?.resume(returning: false)
                }
            }
        }
    }

    /// Ends one; the longest waiting one, if any, takes its place.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
