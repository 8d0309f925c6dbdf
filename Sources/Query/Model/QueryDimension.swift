import Projections

/// What a query breaks numbers down by: a rollup dimension, or time.
public enum QueryDimension: Sendable, Hashable, CustomStringConvertible {
    /// A rollup dimension (page, country, …).
    case dimension(Dimension)
    /// Time in buckets of this size.
    case time(TimeBucket)
    /// The values of one custom property (`event:props:plan`).
    case property(key: String)
    /// The steps of a funnel (``QueryRequest/funnel``), in order.
    case funnelStep

    /// Sizes of time buckets.
    public enum TimeBucket: String, Sendable, Hashable, CaseIterable {
        /// Hour by hour, in the site's zone.
        case hour
        /// Day by day.
        case day
        /// Weeks starting on Monday.
        case week
        /// Calendar months.
        case month

        /// The bucket a series over `days` days reads best in: hours for a day or two, days up to
        /// three months, weeks up to two years, months beyond (about 12 to 100 points or more).
        public static func automatic(days: Int) -> TimeBucket {
            switch days {
            case ...2: .hour
            case ...92: .day
            case ...731: .week
            default: .month
            }
        }

        /// How many buckets of this size `days` (site-local day numbers) fall into, at most.
        public func count(in days: ClosedRange<Int64>) -> Int {
            let span = days.count
            switch self {
            case .hour: return span * 25  // a day with a DST change has 25 hours
            case .day: return span
            case .week: return span / 7 + 2
            case .month: return span / 28 + 2
            }
        }
    }

    /// Parses `page`, `visit:country`, `event:page`, `time`, `time:day`, …
    public init?(name: String) {
        if name == "time" {
            self = .time(.day)
            return
        }
        if name.hasPrefix("time:") {
            guard let bucket = TimeBucket(rawValue: String(name.dropFirst(5))) else { return nil }
            self = .time(bucket)
            return
        }
        var bare = name
        for prefix in ["visit:", "event:"] where bare.hasPrefix(prefix) { bare = String(bare.dropFirst(prefix.count)) }
        let aliases = [
            "props": "prop", "name": "goal", "city": "", "region": "", "source": "source", "pathname": "page",
            "entry": "entry_page", "exit": "exit_page",
        ]
        if let alias = aliases[bare], !alias.isEmpty { bare = alias }
        for prefix in ["props:", "prop:"] where bare.hasPrefix(prefix) {
            let key = String(bare.dropFirst(prefix.count))
            guard !key.isEmpty else { return nil }
            self = .property(key: key)
            return
        }
        guard let dimension = Dimension(name: bare) else { return nil }
        self = .dimension(dimension)
    }

    /// The name used in results (`page`, `time:day`).
    public var description: String {
        switch self {
        case .dimension(let dimension): dimension.description
        case .time(let bucket): "time:\(bucket.rawValue)"
        case .property(let key): "props:\(key)"
        case .funnelStep: "step"
        }
    }

    /// Every valid name, for error messages.
    static var names: String {
        (Dimension.allCases.map(\.description) + [
            "props:KEY", "time", "time:hour", "time:day", "time:week", "time:month",
        ])
        .joined(separator: ", ")
    }
}
