import Projections

/// One question: which site, which days, which numbers, broken down how, filtered how.
///
/// The CLI, the Stats API and the dashboard all build one of these, so every number has a single
/// implementation.
public struct QueryRequest: Sendable, Hashable {
    /// The site's domain.
    public var site: String
    /// The days (or instants) covered.
    public var dateRange: DateRange
    /// The numbers wanted, in order.
    public var metrics: [Metric]
    /// The breakdown, in order (at most one besides time).
    public var dimensions: [QueryDimension]
    /// Which hits count; nil for all.
    public var filter: Filter?
    /// Sort order: metric or dimension names with a direction; default: visitors descending
    /// for a breakdown, time ascending for a time series.
    public var orderBy: [Order]
    /// Rows to return at most.
    public var limit: Int?
    /// Rows to skip.
    public var offset: Int
    /// A period to compare with, if any.
    public var comparison: Comparison?
    /// Whether hits imported from access logs count (default: yes).
    public var includeImported: Bool
    /// The funnel asked about, if any (set with ``askFunnel(_:)``): one row per step.
    public private(set) var funnel: String?

    /// A sort key.
    public struct Order: Sendable, Hashable {
        /// A metric name or a dimension name.
        public var key: String
        /// Ascending (else descending).
        public var ascending: Bool

        /// A sort key.
        public init(key: String, ascending: Bool) {
            self.key = key
            self.ascending = ascending
        }
    }

    /// Which period to compare with.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        /// The same number of days just before.
        case previousPeriod = "previous_period"
        /// The same days one year earlier.
        case yearOverYear = "year_over_year"
    }

    /// A request; the defaults ask for visitors over the last 30 days.
    public init(
        site: String, dateRange: DateRange = .days(30), metrics: [Metric] = [.visitors],
        dimensions: [QueryDimension] = [], filter: Filter? = nil, orderBy: [Order] = [], limit: Int? = nil,
        offset: Int = 0, comparison: Comparison? = nil, includeImported: Bool = true
    ) {
        self.site = site
        self.dateRange = dateRange
        self.metrics = metrics
        self.dimensions = dimensions
        self.filter = filter
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.comparison = comparison
        self.includeImported = includeImported
    }

    /// Asks for the funnel `name` of the site: one row per step (`dimensions` = the step's label),
    /// with its visitors and the conversion rate from the first step, in percent.
    public mutating func askFunnel(_ name: String) {
        funnel = name
        dimensions = [.funnelStep]
        metrics = [.visitors, .conversionRate]
        orderBy = []
        comparison = nil
    }

    /// The one non-time dimension, if any (a property key breaks down `prop`).
    public var breakdown: Dimension? {
        for dimension in dimensions {
            if case .dimension(let value) = dimension { return value }
            if case .property = dimension { return .property }
        }
        return nil
    }

    /// The property key of a `props:KEY` breakdown.
    public var breakdownPropertyKey: String? {
        for dimension in dimensions { if case .property(let key) = dimension { return key } }
        return nil
    }

    /// The time bucket, if any.
    public var timeBucket: QueryDimension.TimeBucket? {
        for dimension in dimensions { if case .time(let bucket) = dimension { return bucket } }
        return nil
    }

    /// Checks what a parser cannot: at most one dimension besides time, metrics that fit it.
    func validate() throws {
        if let limit, limit < 0 { throw QueryError.invalid("limit must not be negative", field: "pagination") }
        if offset < 0 { throw QueryError.invalid("offset must not be negative", field: "pagination") }
        guard !metrics.isEmpty else {
            throw QueryError.invalid("ask for at least one metric (\(Metric.names))", field: "metrics")
        }
        let plain = dimensions.filter { if case .time = $0 { false } else { true } }
        let times = dimensions.count - plain.count
        guard plain.count <= 1, times <= 1 else {
            throw QueryError.invalid(
                "break down by at most one dimension and one time bucket (got \(dimensions.map(\.description).joined(separator: ", ")))",
                field: "dimensions")
        }
        if let funnel {
            guard dimensions == [.funnelStep], metrics == [.visitors, .conversionRate], comparison == nil else {
                throw QueryError.invalid(
                    "funnel '\(funnel)' answers with one row per step (visitors, conversion_rate); leave out other dimensions, metrics and comparisons",
                    field: "funnel")
            }
            try filter?.check()
            return
        }
        guard !dimensions.contains(.funnelStep) else {
            throw QueryError.invalid("break down by step only with a funnel (--funnel NAME)", field: "dimensions")
        }
        if metrics.contains(.percentage) && breakdown == nil {
            throw QueryError.invalid("percentage needs a breakdown by a dimension", field: "metrics")
        }
        if metrics.contains(.conversionRate) && breakdown != .goal
            && !(filter?.comparisons.contains { $0.dimension == .goal } ?? false)
        {
            throw QueryError.invalid(
                "conversion_rate needs a goal filter (goal is Signup) or a breakdown by goal", field: "metrics")
        }
        try filter?.check()
    }
}
