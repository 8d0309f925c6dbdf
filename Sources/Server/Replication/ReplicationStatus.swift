import Synchronization

/// How far replication into ClickHouse got, for `/healthz` and `/metrics`.
public final class ReplicationStatus: Sendable {
    struct State {
        var position: UInt64 = 0
        var error: String?
        var failures = 0
    }

    private let state = Mutex(State())

    /// An empty status.
    public init() {}

    /// The next journal record ClickHouse lacks for this node.
    public var position: UInt64 { state.withLock { $0.position } }
    /// Why the last pass failed, or nil after a pass that worked.
    public var error: String? { state.withLock { $0.error } }
    /// Passes that failed since start.
    public var failures: Int { state.withLock { $0.failures } }

    func record(position: UInt64) {
        state.withLock {
            $0.position = position
            $0.error = nil
        }
    }

    func record(failure: String) {
        state.withLock {
            $0.error = failure
            $0.failures += 1
        }
    }
}
