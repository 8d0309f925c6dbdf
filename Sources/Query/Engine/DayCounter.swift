import Foundation
import Journal
import Projections

/// Where a query's numbers come from: something that counts one site's hits into day rollups,
/// with the question's filter applied.
///
/// ``QueryEngine`` does everything around it (dates, time buckets, derived metrics, comparison,
/// order, paging) the same way whatever counts the days, so the embedded projections and an
/// outside engine such as ClickHouse give answers of one shape and one meaning. The embedded
/// implementation reads rollups, visit tables and the journal; the Server module has one that
/// compiles the question to ClickHouse SQL.
public protocol DayCounter: Sendable {
    /// The site's days asked for, counted under the question's filter (days without hits may be
    /// missing).
    func count(_ question: DayQuestion) throws -> CountedDays

    /// The first site-local day with a hit of `site`, if any.
    func firstDay(site: String, clock: LocalClock) throws -> Int64?

    /// Distinct visitors of `site` with a hit in `window` (ms UTC).
    func visitors(site: String, in window: Range<Int64>) throws -> Int
}

/// What a ``DayCounter`` is asked: a site's days, the hits that count, the tables wanted.
public struct DayQuestion: Sendable {
    /// The request (its site, filter, range of instants and imported choice decide which hits count).
    public var request: QueryRequest
    /// The site-local days wanted: the range, and the comparison's range if any.
    public var days: [ClosedRange<Int64>]
    /// The site's time zone, which decides its days and hours.
    public var zone: TimeZone
    /// The dimension tables to count (the totals are always counted).
    public var dimensions: Set<Projections.Dimension>
    /// Whether cells per local hour are wanted besides the whole day.
    public var hourly: Bool
    /// Seconds the counting may take.
    public var timeBudget: Double
    /// The budget regular expressions are evaluated under by the embedded counter.
    let budget: QueryBudget?

    /// A question; `budget` bounds the embedded counter's regular expressions.
    init(
        request: QueryRequest, days: [ClosedRange<Int64>], zone: TimeZone, dimensions: Set<Projections.Dimension>,
        hourly: Bool,
        budget: QueryBudget
    ) {
        self.request = request
        self.days = days
        self.zone = zone
        self.dimensions = dimensions
        self.hourly = hourly
        self.budget = budget
        self.timeBudget = max(0.001, budget.remaining)
    }

    /// The same question for another request (the base of a conversion rate).
    func with(_ request: QueryRequest) -> DayQuestion {
        var copy = self
        copy.request = request
        return copy
    }
}

/// The counted days of one ``DayQuestion``.
public struct CountedDays: Sendable {
    /// The day rollups, by site-local day.
    public var days: [Int64: DayRollup]
    /// How they were counted (`rollups`, `visits+tail`, `journal`, `clickhouse`, …).
    public var path: String
    /// Days read from stored rollups.
    public var fromRollups: Int
    /// Days folded on demand from the journal.
    public var folded: Int
    /// The journal position the answer is current to (0 where that has no meaning).
    public var position: UInt64
    /// Journal records the answer could not include.
    public var damaged: [DamagedRange]
    /// Stored cells of one dimension still to be selected by the embedded counter's plan.
    var selection: QueryPlan.Selection?
    /// Notes for the reader about what the counting left out (imported days that cannot answer).
    public var notes: [String] = []
    /// Whether imported days are in the numbers (nil: the site has none in these days).
    public var importsIncluded: Bool?

    /// Counted days with nothing left to select.
    public init(
        days: [Int64: DayRollup], path: String, fromRollups: Int = 0, folded: Int = 0, position: UInt64 = 0,
        damaged: [DamagedRange] = []
    ) {
        self.days = days
        self.path = path
        self.fromRollups = fromRollups
        self.folded = folded
        self.position = position
        self.damaged = damaged
        self.selection = nil
    }
}
