import Synchronization

/// How many appenders can be waiting for the journal writer at once: a server's open connections,
/// each with at most one request waiting for its answer.
///
/// A writer that lingers for a fuller block (``CommitPolicy/maxDelay``) stops lingering as soon as
/// that many appenders are waiting: nobody is left to add to the block, so waiting longer would
/// only delay every answer. This is MySQL's `binlog_group_commit_sync_no_delay_count` with the
/// count taken from the connections: a lone client that sends one event at a time gets its answer
/// after the fsync, not after the delay, while many busy connections still share larger blocks.
public final class ConcurrentAppenders: Sendable {
    private let open = Atomic<Int>(0)
    private let early = Atomic<Int>(0)

    /// No appenders yet.
    public init() {}

    /// One more appender (a connection was accepted).
    public func opened() { open.add(1, ordering: .relaxed) }

    /// One appender fewer (a connection closed).
    public func closed() { open.subtract(1, ordering: .relaxed) }

    /// Appenders that may be waiting at once now.
    public var current: Int { open.load(ordering: .relaxed) }

    /// Blocks the writer cut before the commit delay ran out because every appender was waiting.
    public var blocksCutEarly: Int { early.load(ordering: .relaxed) }

    /// Whether `waiting` appenders are all there are (never while none are counted).
    func allWaiting(_ waiting: Int) -> Bool {
        let open = current
        return open > 0 && waiting >= open
    }

    func cutEarly() { early.add(1, ordering: .relaxed) }
}
