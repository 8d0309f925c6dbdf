import Synchronization

/// A small thread-safe memo for lookups whose inputs repeat (user agents, referrer hosts): when it
/// reaches its limit it starts over, which bounds memory whatever the traffic.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// The cached value for `key`, or `compute()` stored and returned.
    func value(for key: Key, _ compute: () -> Value) -> Value {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = compute()
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
        return value
    }
}
