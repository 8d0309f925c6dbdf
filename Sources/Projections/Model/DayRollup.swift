/// Everything one site did on one of its local days: totals and every breakdown, by hour and for
/// the whole day.
///
/// A day rollup is a pure function of the journal records of that site and day: folding the same
/// records always gives the same rollup, whatever order the work was split in.
public struct DayRollup: Sendable, Equatable {
    /// Index of the whole-day cell in ``totals`` and the `hour` of whole-day rows.
    public static let wholeDay = 24

    /// The site's domain.
    public var site: String
    /// The site-local day (days since 1970-01-01 in the site's time zone).
    public var day: Int64
    /// The journal position the rollup covers: every record with a lower sequence number was folded.
    public var position: UInt64
    /// Number of journal records folded into this day.
    public var records: Int64
    /// Totals for hours 0–23 (local) and, at index 24, the whole day.
    public var totals: [Metrics]
    /// One table per ``Dimension``, indexed by its raw value.
    public var tables: [DimensionTable]

    /// A rollup with no hits.
    public init(site: String, day: Int64, position: UInt64) {
        self.site = site
        self.day = day
        self.position = position
        self.records = 0
        self.totals = Array(repeating: Metrics(), count: 25)
        self.tables = Dimension.allCases.map { _ in DimensionTable() }
    }

    /// The table of one dimension.
    public subscript(dimension: Dimension) -> DimensionTable {
        get { tables[Int(dimension.rawValue)] }
        set { tables[Int(dimension.rawValue)] = newValue }
    }

    /// Whether two rollups hold the same numbers (ignoring the journal position they cover).
    public func hasSameNumbers(as other: DayRollup) -> Bool {
        site == other.site && day == other.day && records == other.records && totals == other.totals
            && tables == other.tables
    }
}

/// The breakdown of one dimension for one day: the values seen and their cells.
public struct DimensionTable: Sendable, Equatable {
    /// One cell: a value's numbers in one local hour (0–23) or the whole day (24).
    public struct Row: Sendable, Equatable {
        /// Index of the value in ``DimensionTable/keys``.
        public var key: UInt32
        /// Local hour 0–23, or ``DayRollup/wholeDay``.
        public var hour: UInt8
        /// The cell's numbers.
        public var metrics: Metrics

        /// A row.
        public init(key: UInt32, hour: UInt8, metrics: Metrics) {
            self.key = key
            self.hour = hour
            self.metrics = metrics
        }
    }

    /// The distinct values, sorted.
    public var keys: [String]
    /// Cells ordered by key, then hour (whole-day last); only cells that some hit touched.
    public var rows: [Row]

    /// A table.
    public init(keys: [String] = [], rows: [Row] = []) {
        self.keys = keys
        self.rows = rows
    }

    /// The whole-day numbers of every value.
    public var wholeDay: [(key: String, metrics: Metrics)] {
        rows.lazy.filter { Int($0.hour) == DayRollup.wholeDay }.map { (keys[Int($0.key)], $0.metrics) }
    }
}
