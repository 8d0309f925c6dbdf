/// One request read from an access log line.
public struct AccessLogRecord: Sendable, Equatable {
    /// The client's address as written (IPv4 or IPv6).
    public var client: String
    /// When the request was made, ms since epoch UTC.
    public var time: Int64
    /// The request method (`GET`), or empty when the request line was not readable.
    public var method: String
    /// The request target (`/path?query`).
    public var target: String
    /// The response status.
    public var status: Int
    /// The response size, if logged (`-` is nil).
    public var bytes: Int?
    /// The Referer header, if logged and not `-`.
    public var referrer: String?
    /// The User-Agent header, if logged and not `-` (empty when logged empty).
    public var userAgent: String?
    /// The virtual host, without the port, if logged.
    public var host: String?

    /// A record.
    public init(
        client: String, time: Int64, method: String, target: String, status: Int, bytes: Int? = nil,
        referrer: String? = nil, userAgent: String? = nil, host: String? = nil
    ) {
        self.client = client
        self.time = time
        self.method = method
        self.target = target
        self.status = status
        self.bytes = bytes
        self.referrer = referrer
        self.userAgent = userAgent
        self.host = host
    }
}
