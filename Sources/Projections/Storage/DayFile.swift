/// Everything the rollups keep of one site-day: its cells and the visit table they were counted
/// from. Stored as one `.day` file of independently compressed sections (``RollupCodec``).
public struct DayFile: Sendable {
    /// The cells: every dimension per day, the totals per local hour.
    public var rollup: DayRollup
    /// The day's visits, for questions the cells cannot answer.
    public var visits: VisitTable

    /// A day file's content.
    public init(rollup: DayRollup, visits: VisitTable) {
        self.rollup = rollup
        self.visits = visits
    }
}

/// The sections of a day file. Each is named by a 16-bit id in the section table.
enum DaySection {
    /// Site, day, journal position, record count, the 25 total cells.
    static let meta: UInt16 = 0x0001
    /// The sorted strings of a key space.
    static func keys(_ space: KeySpace) -> UInt16 { 0x0100 | UInt16(space.rawValue) }
    /// The whole-day cells of a dimension.
    static func cells(_ dimension: Dimension) -> UInt16 { 0x0200 | UInt16(dimension.rawValue) }
    /// A visit-table column.
    static func column(_ column: VisitColumn) -> UInt16 { 0x0300 | column.id }
    /// Whether a section is a visit-table column of packed values (all but the extras and the
    /// engagement reports), stored in one of ``StoredColumn``'s forms.
    static func isPackedColumn(_ id: UInt16) -> Bool {
        id >> 8 == 3 && id != column(.extras) && id != column(.engagements)
    }
}

/// The stored columns of a visit table.
enum VisitColumn: Hashable {
    /// Running start of each visitor's visits (bit-packed).
    case visitors
    /// Running start of each visit's hits (bit-packed).
    case visits
    /// One bit per visit.
    case bounces
    /// Per visit, ms (bit-packed).
    case durations
    /// Per hit: 0 for a page view, else goal id + 1 (bit-packed).
    case goals
    /// Per hit, key ids (bit-packed).
    case pages, hostnames
    /// Per hit, local hour (bit-packed).
    case hours
    /// Per hit, `HitFlags` (bit-packed).
    case flags
    /// The hits with properties or revenue (sparse).
    case extras
    /// Engagement reports, by visit.
    case engagements
    /// Per visit, the key id of a session slot other than entry and exit page (bit-packed).
    case session(Int)
    /// For a slot whose value follows from another slot's (``derivedSlots``), when every visit of
    /// the day agrees: for each key of the other slot's space, this slot's key id (bit-packed). The
    /// slot's own column is then not stored; a reader derives it.
    case sessionMap(Int)

    var id: UInt16 {
        switch self {
        case .visitors: 0
        case .visits: 1
        case .bounces: 2
        case .durations: 3
        case .goals: 4
        case .pages: 5
        case .hostnames: 6
        case .hours: 7
        case .flags: 8
        case .extras: 9
        case .engagements: 10
        case .session(let slot): 16 + UInt16(slot)
        case .sessionMap(let slot): 64 + UInt16(slot)
        }
    }

    /// Session slots whose key follows from another slot's key, with that slot: a browser or OS
    /// version key names its family ("Chrome 120"), so the family is a function of the version
    /// (``Dimension/versioned(_:_:)``). The writer checks this for every day before it relies on it.
    static let derivedSlots: [Int: Int] = [
        FoldSlots.slot(of: .browser): FoldSlots.slot(of: .browserVersion),
        FoldSlots.slot(of: .os): FoldSlots.slot(of: .osVersion),
    ]

    /// The session slots stored as columns (entry and exit pages are derived from the hits).
    static let sessionSlots = Dimension.sessionLevel.indices.filter { $0 != FoldSlots.entry && $0 != FoldSlots.exit }
}
