import Journal

/// Turns one site-day's journal records into a ``VisitTable``: gather one compact row per record
/// (strings become small ids per key space, interned once per block dictionary) and the session
/// keys of every row that may start a visit, while the blocks are at hand; then, for a table,
/// group the rows by visitor with a stable counting sort, put each visitor's rows in time order,
/// cut them into visits, and give each visit the keys of its first hit.
///
/// Blocks are needed only while they are added, so the state of a day holds about 36 bytes a hit
/// plus the keys of its visits, and more blocks can be added later: the live worker keeps the open
/// day this way and adds only what became durable since (``add(_:)`` after ``makeTable()``).
///
/// Keep one copy of a state: copies share the visitor table (a class), so adding to one copy
/// would change the other's numbering.
struct FoldState {
    var clock: LocalClock
    var spaces = [Interner](repeating: Interner(), count: KeySpace.allCases.count)
    /// Every row added, in journal order.
    var gathered: [FoldRow] = []
    /// Each gathered row's visitor number.
    var visitorNumbers: [UInt32] = []
    var extras = FoldExtras()
    var visitorIDs = VisitorTable()
    /// The session keys of each row that may start a visit (its visitor's first row, or a row
    /// more than a session timeout after, or before, that visitor's latest earlier row), one
    /// column per ``Dimension/sessionLevel`` slot, indexed by ``FoldRow/start``; the entry and
    /// exit columns stay empty (they are filled from pages later). Every row that starts a visit
    /// once rows are in time order is among them.
    var startKeys = [[UInt32]](repeating: [], count: Dimension.sessionLevel.count)
    /// Number of rows that may start a visit (the length of each filled ``startKeys`` column).
    var startCount = 0
    /// Engagement reports, set aside from the rows (``setAsideEngagements(_:)``).
    var pendingEngagements: [PendingEngagement] = []

    // Built by `makeTable()`, dropped after it.
    /// The rows grouped by visitor, each visitor's in time order.
    var rows: [FoldRow] = []
    /// For each visitor, where its rows start once `rows` are grouped by visitor (one extra end entry).
    var visitorStarts: [Int32] = []
    /// The table's columns before packing, with fold-order key ids.
    var columns = Unpacked()
    /// Each visit's first row, entry row and exit row (positions in the grouped `rows`).
    var visitEnds: [(first: Int32, entry: Int32, exit: Int32)] = []

    init(clock: LocalClock) {
        self.clock = clock
        // Enumerated dimensions get ids equal to their raw values, in order.
        for channel in Channel.allCases { _ = spaces[KeySpace.channel.rawValue].intern(channel.description) }
        for device in DeviceClass.allCases { _ = spaces[KeySpace.device.rawValue].intern(device.description) }
        for screen in ScreenClass.allCases { _ = spaces[KeySpace.screen.rawValue].intern(screen.description) }
    }

    /// Adds the day's next records (slices in journal order, after all added before).
    mutating func add(_ slices: [DaySlice]) {
        let slices = setAsideEngagements(slices)
        let first = gathered.count
        let ids = gather(slices)
        let starting = numberVisitors(ids, from: first)
        captureStarts(slices, rows: starting, from: first)
    }

    /// The table of every row added so far, keys sorted. With `keeping`, the state stays as it
    /// was, ready for more rows; without, what only more rows would need is let go as soon as it
    /// has been used, so that a one-off fold holds one copy of its rows at a time.
    mutating func makeTable(keeping: Bool = true) -> VisitTable {
        defer {
            rows = []
            visitorStarts = []
            columns = Unpacked()
            visitEnds = []
        }
        splitVisits()
        if !keeping {
            gathered = []
            visitorNumbers = []
        }
        fillHits()
        attachEngagements()
        if !keeping { pendingEngagements = [] }
        assignVisitKeys()
        // When every row that might have started a visit did, every session string is in use.
        let someUnused = startCount > visitEnds.count
        if !keeping { startKeys = startKeys.map { _ in [] } }
        columns.keys = spaces.map(\.strings)
        columns.sortKeys(compacting: someUnused)
        return columns.packed()
    }
}
