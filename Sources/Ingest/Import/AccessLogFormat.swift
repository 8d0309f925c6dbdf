/// The access-log formats the importer reads.
public enum AccessLogFormat: String, Sendable, CaseIterable {
    /// Apache/nginx "combined": `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`.
    case combined
    /// "common": combined without referrer and user agent.
    case common
    /// Apache's `vhost_combined`: `%v:%p` (or `%v`) first, then combined.
    case combinedVhost = "combined-vhost"
    /// Caddy's JSON access log (`{"ts", "request": {"remote_ip", "method", "host", "uri", "headers"}, "status", "size"}`).
    case caddyJSON = "caddy-json"
    /// nginx with a JSON `log_format` using the variable names as keys (`remote_addr`, `time_iso8601` or
    /// `time_local`, `request` or `request_method` + `request_uri`, `status`, `body_bytes_sent`,
    /// `http_referer`, `http_user_agent`, `host`).
    case nginxJSON = "nginx-json"
    /// Decide from the first lines.
    case auto

    /// Reads one line (without its line break).
    public func parse(_ line: ArraySlice<UInt8>, defaultOffset: Int64) -> Result<AccessLogRecord, LogLineProblem> {
        switch self {
        case .combined: CommonLogParser.parse(line, vhost: false, extended: true, defaultOffset: defaultOffset)
        case .common: CommonLogParser.parse(line, vhost: false, extended: false, defaultOffset: defaultOffset)
        case .combinedVhost: CommonLogParser.parse(line, vhost: true, extended: true, defaultOffset: defaultOffset)
        case .caddyJSON: JSONLogParser.parseCaddy(line)
        case .nginxJSON: JSONLogParser.parseNginx(line, defaultOffset: defaultOffset)
        case .auto: .failure(LogLineProblem("the format was not decided"))
        }
    }

    /// The format most of `lines` parse in, or nil when none fits at least half of them (a few
    /// broken lines do not hide the format; a file in another format fits none).
    public static func detect(_ lines: [ArraySlice<UInt8>]) -> AccessLogFormat? {
        let sample = lines.filter { !$0.isEmpty }.prefix(50)
        guard !sample.isEmpty else { return nil }
        let candidates: [AccessLogFormat] =
            sample.first?.first == UInt8(ascii: "{") ? [.caddyJSON, .nginxJSON] : [.combinedVhost, .combined, .common]
        for format in candidates {
            let parsed = sample.filter {
                if case .success = format.parse($0, defaultOffset: 0) { return true }
                return false
            }.count
            if parsed > 0 && parsed * 2 >= sample.count { return format }
        }
        return nil
    }
}

/// Why a line could not be read.
public struct LogLineProblem: Error, Sendable, Equatable {
    /// What is wrong with it.
    public var reason: String

    /// A problem.
    public init(_ reason: String) { self.reason = reason }
}
