/// How `infinity serve` listens and acknowledges.
public struct ServerConfiguration: Sendable {
    /// When a `202` is sent for an accepted hit.
    public enum Acknowledgement: String, Sendable, CaseIterable {
        /// After the hit's block is written and fsynced (the default): an acknowledged hit survives
        /// a crash or a power cut.
        case durable
        /// As soon as the hit is queued for the writer: faster, but a crash loses what was queued.
        case buffered
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

    /// A configuration; the defaults listen on 127.0.0.1:8080 and acknowledge durably.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, acknowledgement: Acknowledgement = .durable,
        maxBodySize: Int = 64 * 1024, idleTimeout: Int64 = 30, requestTimeout: Int64 = 30
    ) {
        self.host = host
        self.port = port
        self.acknowledgement = acknowledgement
        self.maxBodySize = maxBodySize
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }
}
