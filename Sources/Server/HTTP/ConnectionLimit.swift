import Logging
import Synchronization

/// How many connections the server holds open at once. Every connection is a file descriptor, and
/// the journal, the rollups and the registry files need descriptors too: without a bound, a flood
/// of idle connections used up the process's open-file limit, new connections hung, and the
/// projection worker failed to open `rollups/CURRENT`. A connection over the limit is closed at
/// once (its client sees the connection end, not a hang) and counted.
public final class ConnectionLimit: Sendable {
    /// The most connections open at once.
    public var maximum: Int { limit.load(ordering: .relaxed) }
    private let limit: Atomic<Int>
    private let open = Atomic<Int>(0)
    private let refusedTotal = Atomic<Int>(0)

    /// A limit of `maximum` connections.
    public init(maximum: Int) { limit = Atomic(maximum) }

    /// A new limit (SIGHUP with a changed `max_connections`): connections open beyond it stay,
    /// and new ones are taken again once fewer are open.
    public func update(maximum: Int) { limit.store(maximum, ordering: .relaxed) }

    /// Takes a place for a new connection; false (and counted) when all are taken.
    func admit() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now > maximum else { return true }
        open.subtract(1, ordering: .relaxed)
        refusedTotal.add(1, ordering: .relaxed)
        return false
    }

    /// Gives back the place of a connection that ended.
    func release() { open.subtract(1, ordering: .relaxed) }

    /// Connections open now.
    public var current: Int { open.load(ordering: .relaxed) }

    /// Connections closed at once because the limit was reached, since the start.
    public var refused: Int { refusedTotal.load(ordering: .relaxed) }

    /// The default limit for a process that may have `openFiles` descriptors: all of them but a
    /// reserve for the server's own files (segments, day files, registry files, logs), and at most
    /// 16,384 (about 6 KB of memory each while idle, so about 100 MB at the most).
    public static func defaultMaximum(openFiles: Int) -> Int {
        max(16, min(16_384, openFiles - reservedFiles))
    }

    /// Descriptors kept for the server's own files when the limit is derived from the open-file
    /// limit.
    public static let reservedFiles = 256
}

/// The log line for connections closed at the limit: once, then at most once a minute with how
/// many more there were, so that a flood does not flood the log as well.
struct ConnectionLimitLog: Sendable {
    let logger: Logger
    private let throttle = ThrottledLog()

    init(logger: Logger) { self.logger = logger }

    func refused(limit: Int) {
        throttle.warning(
            "a connection was closed as it arrived: \(limit) connections are open, the most --max-connections allows",
            metadata: [
                "hint":
                    "Raise --max-connections (and the open-file limit, LimitNOFILE= in a systemd unit, with it), or find the client that holds so many connections open"
            ], to: logger)
    }
}
