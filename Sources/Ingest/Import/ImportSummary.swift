/// What an import did, line by line.
public struct ImportSummary: Sendable, Equatable {
    /// Why a line was not imported.
    public enum Reason: String, Sendable, CaseIterable, Hashable {
        /// Not readable in the log's format (or longer than the line limit).
        case malformed
        /// A method other than those counted (`HEAD`, `POST`, …).
        case method
        /// A status other than those counted (redirects, errors).
        case status
        /// An asset, not a page (`.css`, `.js`, images, fonts, …).
        case asset
        /// A crawler, script or monitor.
        case bot
        /// An app's own HTTP client (`Dalvik/…`), not a browser.
        case app = "app-client"
        /// A referrer on the spam list.
        case spam
        /// The page URL could not be built from the line.
        case invalid
        /// Already imported by an earlier run (the same lines of the same or an overlapping file).
        case alreadyImported = "already-imported"
        /// The file's last line has no line break yet (cut, or still being written): left for a
        /// later import, which takes it once it is complete.
        case incomplete
    }

    /// Lines read.
    public var lines = 0
    /// Page views written to the journal.
    public var pageviews = 0
    /// Lines skipped, by reason.
    public var skipped: [Reason: Int] = [:]
    /// The first few malformed lines: file, line number, what is wrong.
    public var malformedExamples: [(file: String, line: Int, reason: String)] = []
    /// The first and last time of the imported page views (ms UTC).
    public var firstTime: Int64?
    /// See ``firstTime``.
    public var lastTime: Int64?

    /// An empty summary.
    public init() {}

    mutating func skip(_ reason: Reason) { skipped[reason, default: 0] += 1 }

    mutating func imported(at time: Int64) {
        pageviews += 1
        firstTime = min(firstTime ?? time, time)
        lastTime = max(lastTime ?? time, time)
    }

    /// Compares counts (examples by line number only).
    public static func == (lhs: ImportSummary, rhs: ImportSummary) -> Bool {
        lhs.lines == rhs.lines && lhs.pageviews == rhs.pageviews && lhs.skipped == rhs.skipped
            && lhs.malformedExamples.map(\.line) == rhs.malformedExamples.map(\.line) && lhs.firstTime == rhs.firstTime
            && lhs.lastTime == rhs.lastTime
    }
}
