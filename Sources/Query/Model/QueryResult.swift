/// The answer to a ``QueryRequest``.
public struct QueryResult: Sendable {
    /// One row: the dimension values and the metric values, in the request's order.
    public struct Row: Sendable, Equatable {
        /// Dimension values (`2026-11-29`, `DE`, `/pricing`).
        public var dimensions: [String]
        /// Metric values; nil where a rate has no base (bounce rate of zero visits).
        public var metrics: [Double?]
        /// The same row in the comparison period, if one was asked for.
        public var comparison: [Double?]?
        /// Change against the comparison in percent, per metric.
        public var change: [Double?]?
    }

    /// The rows.
    public var rows: [Row]
    /// The totals over the whole range (no breakdown), with their comparison.
    public var totals: Row
    /// How the answer was computed.
    public var meta: Meta
    /// The first and last site-local day covered.
    public var days: ClosedRange<Int64>
    /// The comparison's days, if any.
    public var comparisonDays: ClosedRange<Int64>?

    /// How an answer was computed.
    public struct Meta: Sendable, Equatable {
        /// `rollups` (stored rollups only), `rollups+tail` (plus days folded on demand from journal
        /// records not yet folded), or `journal` (the filters needed raw hits).
        public var path: String
        /// Days read from stored rollups.
        public var daysFromRollups: Int
        /// Days folded on demand from the journal.
        public var daysFolded: Int
        /// Journal position the answer is current to.
        public var position: UInt64
        /// Milliseconds taken.
        public var milliseconds: Double
        /// Notes for the reader (e.g. mixed currencies).
        public var warnings: [String]
        /// Whether imported days are in the numbers; nil when the site has none in the range.
        public var importsIncluded: Bool? = nil
    }
}
