/// Which log lines are page views: the importer's documented, configurable rules.
///
/// By default a line is a page view when its method is `GET`, its status is 2xx, and its path
/// (before `?`) has no extension or an extension that serves HTML (`html`, `htm`, `php`, `asp`,
/// `aspx`, `jsp`, `shtml`, `xhtml`, `cgi`). Everything else — assets (`.css`, `.js`, images, fonts,
/// feeds, archives), `HEAD`/`POST`, redirects, errors — is counted by reason and skipped.
public struct PageRules: Sendable, Hashable {
    /// Methods that count.
    public var methods: Set<String> = ["GET"]
    /// Statuses that count.
    public var statuses: ClosedRange<Int> = 200...299
    /// Path extensions (lower-case, without the dot) of pages; the empty string is "no extension".
    public var pageExtensions: Set<String> = ["", "html", "htm", "php", "asp", "aspx", "jsp", "shtml", "xhtml", "cgi"]

    /// The default rules.
    public init() {}

    /// Why a record is not a page view, or nil when it is one.
    public func rejection(_ record: AccessLogRecord) -> ImportSummary.Reason? {
        guard methods.contains(record.method) else { return .method }
        guard statuses.contains(record.status) else { return .status }
        guard pageExtensions.contains(Self.extensionOf(record.target)) else { return .asset }
        return nil
    }

    /// The lower-case extension of the last path segment (`""` when it has none).
    public static func extensionOf(_ target: String) -> String {
        var utf8 = Substring(target).utf8
        if let question = utf8.firstIndex(of: UInt8(ascii: "?")) { utf8 = utf8[..<question] }
        if let slash = utf8.lastIndex(of: UInt8(ascii: "/")) { utf8 = utf8[utf8.index(after: slash)...] }
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")), dot != utf8.startIndex else { return "" }
        let tail = utf8[utf8.index(after: dot)...]
        guard tail.count <= 16 else { return String(decoding: tail, as: UTF8.self) }
        return String(decoding: tail.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
