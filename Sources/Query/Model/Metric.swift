/// A number a query can ask for.
public enum Metric: String, CaseIterable, Sendable, Hashable, Codable {
    /// Distinct visitors (the sum of exact daily counts).
    case visitors
    /// Visits.
    case visits
    /// Page views.
    case pageviews
    /// Page views per visit.
    case viewsPerVisit = "views_per_visit"
    /// Percentage of visits with one page view and no interactive event.
    case bounceRate = "bounce_rate"
    /// Mean visit duration, in seconds.
    case visitDuration = "visit_duration"
    /// Custom events.
    case events
    /// Percentage of visitors who completed the goal (with a goal filter or a goal breakdown).
    case conversionRate = "conversion_rate"
    /// Revenue, in the currency's major unit (e.g. euros).
    case revenue
    /// Share of all visitors, in percent (with a breakdown).
    case percentage
    /// Mean seconds a page was visible, over the engagement reports counted (a page left or
    /// hidden); `null` without any.
    case timeOnPage = "time_on_page"
    /// Mean deepest scroll in percent, over the same reports.
    case scrollDepth = "scroll_depth"

    /// The valid names, for error messages.
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
