import Foundation
import InfinityTestSupport
import Journal
import Projections
import Testing

@testable import Query

/// One query's cost is bounded: expressions that backtrack without end are refused when parsed,
/// and regular-expression matching stops when the query's time budget is spent.
@Suite("query cost bounds")
struct QueryBudgetTests {
    /// Expressions people write to filter pages.
    static let everyday = [
        "^/blog/", "/(en|de)/pricing", ".*pricing.*", "^/product/[0-9]+/buy$", "a{2,5}", "(ab)?c", #"\.pdf$"#,
    ]

    /// Expressions that can backtrack without end, with the reason each is refused for.
    static let hostile: [(String, String)] = [
        ("(a|a)*", "repeated group"), ("(a+)+", "repeated group"), ("((ab)*c)+", "repeated group"),
        ("(x|y){2,}", "repeated group"), ("(a)\\1", "backreferences"), (".*a.*b.*", "unbounded repetitions"),
        ("a{1,1000}b{0,900}c+", "unbounded repetitions"), (String(repeating: "a", count: 201), "longer than 200"),
    ]

    @Test("everyday expressions are accepted", arguments: Self.everyday)
    func accepted(pattern: String) {
        #expect(throws: Never.self) { try QueryBudget.check(pattern: pattern) }
    }

    @Test("expressions that can backtrack without end are refused, saying why", arguments: Self.hostile)
    func refused(pattern: String, reason: String) {
        #expect {
            try QueryBudget.check(pattern: pattern)
        } throws: { error in
            (error as? QueryError)?.field == "filters" && "\(error)".contains(reason)
        }
    }

    @Test("a query whose budget is spent fails with a clear error instead of answering late")
    func spentBudgetFailsTheQuery() throws {
        let data = TemporaryDirectory()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: data.journal, commit: CommitPolicy(sync: .none)),
            logger: .init(label: "test"))
        let generator = TrafficGenerator(sites: [TrafficGenerator.Site(domain: "example.com")], seed: 3)
        _ = try writer.appendBlocking(generator.allHits(firstDay: 20_000 * 86_400_000, days: 2, countPerSite: 500))
        try writer.closeBlocking()
        let worker = ProjectionWorker(
            journal: JournalDirectory(path: data.journal), store: RollupStore(dataDirectory: data.path),
            calendar: SiteCalendar(zones: ["example.com": TimeZone(identifier: "UTC")!]),
            logger: .init(label: "test"))
        var request = QueryRequest(site: "example.com", dateRange: .custom(from: 20_000, to: 20_001))
        request.metrics = [.pageviews]
        request.filter = .compare(Filter.Comparison(op: .matches, dimension: .page, values: ["^/"]))
        let generous = try QueryEngine(worker: worker, timeBudget: 60).run(request, now: 20_002 * 86_400_000)
        #expect((generous.totals.metrics[0] ?? 0) > 0)
        #expect {
            _ = try QueryEngine(worker: worker, timeBudget: 0).run(request, now: 20_002 * 86_400_000)
        } throws: { error in
            (error as? QueryError)?.code == .tooExpensive && "\(error)".contains("budget")
        }
    }
}
