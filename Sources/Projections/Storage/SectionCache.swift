import Journal
import Synchronization

/// Day-file sections already read, checked and decompressed, kept for the next question: closed
/// days never change, and a rewritten file (the open day) has another ``FileIdentity``, so an
/// entry is never stale. Bounded by bytes; the least recently used sections go first.
///
/// A long-lived query engine (the server, the dashboard) keeps one; a one-off command needs none.
public final class SectionCache: Sendable {
    struct Key: Hashable {
        let file: FileIdentity
        let section: UInt16
    }

    private struct State {
        var entries: [Key: (bytes: OwnedBytes, used: UInt64)] = [:]
        var size = 0
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    /// The most bytes kept.
    public let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` bytes (256 MiB unless told).
    public init(capacity: Int = 256 << 20) {
        self.capacity = capacity
    }

    /// Bytes held, sections held, lookups answered and missed.
    public var statistics: (bytes: Int, sections: Int, hits: Int, misses: Int) {
        state.withLock { ($0.size, $0.entries.count, $0.hits, $0.misses) }
    }

    func bytes(for key: Key) -> OwnedBytes? {
        state.withLock { state in
            state.clock += 1
            guard let entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.entries[key] = (entry.bytes, state.clock)
            return entry.bytes
        }
    }

    func insert(_ bytes: OwnedBytes, for key: Key) {
        guard bytes.count <= capacity / 4 else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.entries.updateValue((bytes, state.clock), forKey: key) { state.size -= old.bytes.count }
            state.size += bytes.count
            guard state.size > capacity else { return }
            // Drop the least recently used until a quarter is free, so eviction runs rarely.
            let byAge = state.entries.sorted { $0.value.used < $1.value.used }
            for (key, entry) in byAge where state.size > capacity - capacity / 4 {
                state.entries[key] = nil
                state.size -= entry.bytes.count
            }
        }
    }
}
