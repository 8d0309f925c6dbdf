/// The numbers a rollup keeps for one cell (a dimension value in one hour or one day).
///
/// Every number is exact. `visitors` and `visits` count distinct daily visitor ids and distinct
/// visits among the hits of the cell; `bounces` and `duration` add up over those visits.
public struct Metrics: Sendable, Hashable {
    /// Distinct visitors.
    public var visitors: Int64 = 0
    /// Distinct visits.
    public var visits: Int64 = 0
    /// Page views.
    public var pageviews: Int64 = 0
    /// Custom events.
    public var events: Int64 = 0
    /// Visits that bounced (one page view, no interactive event).
    public var bounces: Int64 = 0
    /// Total duration of the visits, in milliseconds.
    public var duration: Int64 = 0
    /// Revenue, in minor units of its currency (break down by ``Dimension/currency`` when mixed).
    public var revenue: Int64 = 0
    /// Engagement reports (a page left or hidden) among the cell's.
    public var engagements: Int64 = 0
    /// Seconds their pages were visible, summed.
    public var engagedSeconds: Int64 = 0
    /// Their deepest scroll in percent, summed.
    public var scrollDepth: Int64 = 0

    /// All zero.
    public init() {}

    /// Metrics with the given numbers.
    public init(
        visitors: Int64, visits: Int64, pageviews: Int64, events: Int64, bounces: Int64, duration: Int64,
        revenue: Int64
    ) {
        self.visitors = visitors
        self.visits = visits
        self.pageviews = pageviews
        self.events = events
        self.bounces = bounces
        self.duration = duration
        self.revenue = revenue
    }

    /// Whether no hit and no engagement report touched the cell.
    public var isEmpty: Bool { visitors == 0 && engagements == 0 }

    /// Adds another cell's numbers (right for every metric when the cells are different days).
    public static func += (lhs: inout Metrics, rhs: Metrics) {
        lhs.visitors += rhs.visitors
        lhs.visits += rhs.visits
        lhs.pageviews += rhs.pageviews
        lhs.events += rhs.events
        lhs.bounces += rhs.bounces
        lhs.duration += rhs.duration
        lhs.revenue += rhs.revenue
        lhs.engagements += rhs.engagements
        lhs.engagedSeconds += rhs.engagedSeconds
        lhs.scrollDepth += rhs.scrollDepth
    }
}
