import Synchronization

/// Counts of accepted, dropped (by reason) and invalid events, for `/metrics` and summaries.
public final class IngestCounters: Sendable {
    /// A snapshot of the counts.
    public struct Snapshot: Sendable, Hashable {
        /// Hits stored in the journal (counted once the journal took them, never before).
        public var accepted = 0
        /// Events dropped, by reason.
        public var dropped: [DropReason: Int] = [:]
        /// Events rejected as invalid.
        public var invalid = 0
        /// Events not stored because of a fault here (a failed write, a full queue).
        public var failed = 0
    }

    private let counts = Mutex(Snapshot())
    /// Stored hits: counted on the journal writer's thread for every acknowledged block, so
    /// without a lock.
    private let stored = Atomic<Int>(0)
    private let storeFailures = Atomic<Int>(0)

    /// Fresh counters.
    public init() {}

    /// The counts now.
    public var snapshot: Snapshot {
        var snapshot = counts.withLock { $0 }
        snapshot.accepted = stored.load(ordering: .relaxed)
        snapshot.failed += storeFailures.load(ordering: .relaxed)
        return snapshot
    }

    /// `hits` were stored in the journal.
    public func recordStored(_ hits: Int) { stored.add(hits, ordering: .relaxed) }

    /// An event's hits could not be stored (the journal failed or was full).
    public func recordStoreFailure() { storeFailures.add(1, ordering: .relaxed) }

    func record(_ outcome: IngestOutcome) {
        switch outcome {
        case .accepted: return  // counted by ``recordStored(_:)`` once the journal has them
        case .dropped(let reason): counts.withLock { $0.dropped[reason, default: 0] += 1 }
        case .invalid: counts.withLock { $0.invalid += 1 }
        case .failed: counts.withLock { $0.failed += 1 }
        }
    }
}
