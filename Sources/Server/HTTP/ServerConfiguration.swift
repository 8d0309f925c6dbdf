import Journal

/// How `infinity serve` listens and acknowledges.
public struct ServerConfiguration: Sendable {
    /// When a `202` is sent for an accepted hit.
    public enum Acknowledgement: String, Sendable, CaseIterable {
        /// After the hit's block is written and fsynced (the default): an acknowledged hit survives
        /// a crash or a power cut.
        case durable
        /// After the hit's block is written to the journal file, without waiting for the fsync,
        /// which follows within a second: an acknowledged hit survives a crash of infinity (the
        /// kernel holds it); a power cut or a crash of the machine can lose the last second's hits.
        case written
        /// As soon as the hit is queued for the writer: faster, but a crash loses what was queued.
        case buffered

        /// When the journal fsyncs the blocks of hits acknowledged this way.
        public var sync: CommitPolicy.Sync { self == .written ? .periodic : .everyBlock }

        /// Microseconds a block waits for more hits unless `--commit-delay` says otherwise.
        ///
        /// Durable answers wait for their block, and its fsync already gathers the next one, so a
        /// block waits for nobody. Written answers wait too, but without the fsync a writer that
        /// never waits cuts blocks of four or five hits, at twice the bytes a hit; 250 µs gathers
        /// about thirty at the same rate. Buffered answers do not wait, so a block may wait longer
        /// and save fsyncs and writer time. Whatever the delay, a block stops waiting once every
        /// open connection waits for it (``ConcurrentAppenders``); even so, 200 µs with `durable`
        /// cost 2 to 8 busy connections a seventh of their rate (Docs/benchmarks.md).
        public var defaultCommitDelay: Int64 {
            switch self {
            case .durable: 0
            case .written: 250
            case .buffered: 500
            }
        }
    }

    /// Host to listen on.
    public var host: String
    /// Port to listen on (0: any free port).
    public var port: Int
    /// When hits are acknowledged.
    public var acknowledgement: Acknowledgement
    /// Largest accepted request body, in bytes.
    public var maxBodySize: Int
    /// Seconds after which a connection with nothing to read is closed.
    public var idleTimeout: Int64
    /// Seconds a connection has to deliver a complete request (from connecting, or from its
    /// previous response) before it is closed: the guard against clients that trickle bytes.
    public var requestTimeout: Int64
    /// The most connections open at once; more are closed as they arrive. `serve` derives its
    /// default from the open-file limit (``ConnectionLimit/defaultMaximum(openFiles:)``).
    public var maxConnections: Int

    /// A configuration; the defaults listen on 127.0.0.1:8080 and acknowledge durably.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, acknowledgement: Acknowledgement = .durable,
        maxBodySize: Int = 64 * 1024, idleTimeout: Int64 = 30, requestTimeout: Int64 = 30,
        maxConnections: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.acknowledgement = acknowledgement
        self.maxBodySize = maxBodySize
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
    }
}
