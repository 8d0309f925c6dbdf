import Synchronization

/// Counts of accepted, dropped (by reason) and invalid events, for `/metrics` and summaries.
public final class IngestCounters: Sendable {
    /// A snapshot of the counts.
    public struct Snapshot: Sendable, Hashable {
        /// Hits stored.
        public var accepted = 0
        /// Events dropped, by reason.
        public var dropped: [DropReason: Int] = [:]
        /// Events rejected as invalid.
        public var invalid = 0
        /// Events not stored because of a fault here.
        public var failed = 0
    }

    private let counts = Mutex(Snapshot())

    /// Fresh counters.
    public init() {}

    /// The counts now.
    public var snapshot: Snapshot { counts.withLock { $0 } }

    func record(_ outcome: IngestOutcome) {
        counts.withLock { counts in
            switch outcome {
            case .accepted(let hits): counts.accepted += hits.count
            case .dropped(let reason): counts.dropped[reason, default: 0] += 1
            case .invalid: counts.invalid += 1
            case .failed: counts.failed += 1
            }
        }
    }
}
