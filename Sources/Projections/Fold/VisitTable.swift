/// One site-day's hits grouped into visits: what rollup cells are counted from, and what a day
/// file keeps so that questions the cells cannot answer (filters, hourly breakdowns) never have to
/// re-read and re-sessionize the journal.
///
/// Visitors are numbered in the order they first appear in the journal; a visitor's visits follow
/// one another in time order; a visit's hits are in time order (journal order breaking ties). No
/// visitor id is kept: visitors are only consecutive runs of visits. Key ids index ``keys`` of
/// their ``KeySpace`` (sorted strings). A table decoded from a file holds only the columns it was
/// asked for (``Columns``); the others are empty.
public struct VisitTable: Sendable {
    /// The strings of each key space, indexed by `KeySpace.rawValue`; sorted.
    var keys: [[String]]
    /// Number of hits.
    var hitCount: Int

    // Per hit, in visit order.
    /// Page key id.
    var pages = PackedColumn()
    /// Host name key id.
    var hostnames = PackedColumn()
    /// 0 for a page view, else the custom event's goal key id + 1.
    var goals = PackedColumn()
    /// Local hour 0–23.
    var hours = PackedColumn()
    /// `HitFlags` bits.
    var flags = PackedColumn()
    /// The hits that carry properties or revenue, ascending, and what they carry.
    var extraHits: [Int32] = []
    /// Properties and revenue of ``extraHits``, in the same order.
    var extras = FoldExtras()
    /// Timestamps (ms UTC); only in tables folded from the journal, never stored.
    var times: [Int64] = []
    /// Engagement reports, by visit (not hits: see ``Engagement``).
    var engagements: [Engagement] = []

    // Per visit.
    /// Hits of visit `v` are `visitStarts[v] ..< visitStarts[v + 1]` (visit count + 1 values).
    var visitStarts = PackedColumn()
    /// 1 when the visit bounced.
    var bounces = PackedColumn()
    /// Last hit − first hit, ms.
    var durations = PackedColumn()
    /// Per session slot (``FoldSlots``), each visit's key id; empty when not loaded.
    var sessionKeys: [PackedColumn]

    // Per visitor.
    /// Visits of visitor `u` are `visitorStarts[u] ..< visitorStarts[u + 1]` (visitor count + 1 values).
    var visitorStarts = PackedColumn()

    /// An empty table.
    init() {
        keys = KeySpace.allCases.map { _ in [] }
        hitCount = 0
        sessionKeys = Dimension.sessionLevel.map { _ in PackedColumn() }
    }

    /// Number of visits.
    var visitCount: Int { max(0, visitStarts.count - 1) }
    /// Number of distinct visitors.
    var visitorCount: Int { max(0, visitorStarts.count - 1) }

    /// The parts of a table a reader can ask for.
    public struct Columns: OptionSet, Sendable, Hashable {
        /// The bits.
        public let rawValue: UInt64
        /// Columns from bits.
        public init(rawValue: UInt64) { self.rawValue = rawValue }

        /// Visits, visitors, bounces, durations and each hit's goal (always read).
        public static let structure = Columns(rawValue: 1 << 0)
        /// Each hit's page (also what entry and exit pages are derived from).
        public static let pages = Columns(rawValue: 1 << 1)
        /// Each hit's host name.
        public static let hostnames = Columns(rawValue: 1 << 2)
        /// Each hit's local hour.
        public static let hours = Columns(rawValue: 1 << 3)
        /// Each hit's flags (imported, non-interactive).
        public static let flags = Columns(rawValue: 1 << 4)
        /// Properties and revenue.
        public static let extras = Columns(rawValue: 1 << 5)
        /// Each visit's entry and exit page (derived from the pages).
        public static let entryAndExit = Columns(rawValue: 1 << 6 | 1 << 1)
        /// Engagement reports (time on page, scroll depth).
        public static let engagements = Columns(rawValue: 1 << 7)

        /// The session key column of `dimension` (a session-level dimension).
        public static func session(_ dimension: Dimension) -> Columns {
            switch dimension {
            case .entryPage, .exitPage: return .entryAndExit
            default: return Columns(rawValue: 1 << (8 + UInt64(FoldSlots.slot(of: dimension))))
            }
        }

        /// Everything.
        public static let all = Columns(rawValue: .max)

        /// What it takes to count `dimension`.
        public static func counting(_ dimension: Dimension) -> Columns {
            switch dimension {
            case .page: .pages
            case .hostname: .hostnames
            case .goal: []
            case .propertyKey, .property, .currency: .extras
            default: session(dimension)
            }
        }
    }
}

/// The positions of the session-level dimensions among a visit's keys.
enum FoldSlots {
    /// The slot of each dimension (by raw value), or -1 for hit dimensions.
    static let slots: [Int] = Dimension.allCases.map { Dimension.sessionLevel.firstIndex(of: $0) ?? -1 }

    /// The slot of a session-level dimension.
    @inline(__always)
    static func slot(of dimension: Dimension) -> Int { slots[Int(dimension.rawValue)] }

    static let entry = slot(of: .entryPage)
    static let exit = slot(of: .exitPage)
}
