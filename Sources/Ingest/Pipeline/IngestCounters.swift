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

    /// Fresh counters.
    public init() {}

    /// The counts now.
    public var snapshot: Snapshot { counts.withLock { $0 } }

    /// `hits` were stored in the journal.
    public func recordStored(_ hits: Int) { counts.withLock { $0.accepted += hits } }

    /// An event's hits could not be stored (the journal failed or was full).
    public func recordStoreFailure() { counts.withLock { $0.failed += 1 } }

    func record(_ outcome: IngestOutcome) {
        counts.withLock { counts in
            switch outcome {
            case .accepted: break  // counted by ``recordStored(_:)`` once the journal has them
            case .dropped(let reason): counts.dropped[reason, default: 0] += 1
            case .invalid: counts.invalid += 1
            case .failed: counts.failed += 1
            }
        }
    }
}
