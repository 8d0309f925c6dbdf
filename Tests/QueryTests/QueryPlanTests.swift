import Projections
import Testing

@testable import Query

/// The planner picks the cheapest path that still answers exactly: stored cells when one cell per
/// day answers, the stored visit tables for other filters, the journal for exact times.
@Suite("query planner: which path answers")
struct QueryPlanTests {
    enum Path: Equatable { case rollups, rollupsSelecting(Dimension), visits, journal }

    static func path(_ request: QueryRequest) throws -> Path {
        switch try QueryPlan.make(for: request) {
        case .rollups(nil): .rollups
        case .rollups(let selection?): .rollupsSelecting(selection.dimension)
        case .visits: .visits
        case .journal: .journal
        }
    }

    static func filter(_ text: String) throws -> Filter { try Filter(commandLine: text) }

    @Test("no filter: the stored cells, also by day, month or a dimension")
    func noFilterReadsCells() throws {
        #expect(try Self.path(QueryRequest(site: "s")) == .rollups)
        #expect(try Self.path(QueryRequest(site: "s", dimensions: [.time(.day)])) == .rollups)
        #expect(try Self.path(QueryRequest(site: "s", dimensions: [.dimension(.country)])) == .rollups)
        #expect(try Self.path(QueryRequest(site: "s", dimensions: [.time(.hour)])) == .rollups)
    }

    @Test("hours broken down by a dimension: the visit tables (cells keep dimensions per day)")
    func hoursByDimensionCountVisits() throws {
        #expect(
            try Self.path(QueryRequest(site: "s", dimensions: [.time(.hour), .dimension(.country)])) == .visits)
    }

    @Test("one 'is' with one value, by nothing or by the same dimension: one cell per day")
    func singleValueReadsOneCell() throws {
        let filter = try Self.filter("country==DE")
        #expect(try Self.path(QueryRequest(site: "s", filter: filter)) == .rollupsSelecting(.country))
        #expect(
            try Self.path(QueryRequest(site: "s", dimensions: [.dimension(.country)], filter: filter))
                == .rollupsSelecting(.country))
        // A property value is one cell (`key=value`) too.
        #expect(
            try Self.path(QueryRequest(site: "s", filter: try Self.filter("props:plan==pro")))
                == .rollupsSelecting(.property))
    }

    @Test(
        "filters that one cell cannot answer are counted from the visit tables",
        arguments: ["country==DE|FR", "browser!=Safari", "page~=/blog", "page=~^/docs/", "props:plan==pro|free"])
    func otherFiltersCountVisits(text: String) throws {
        #expect(try Self.path(QueryRequest(site: "s", filter: Self.filter(text))) == .visits)
    }

    @Test("a filter on one dimension broken down by another counts visits (a visitor in two cells)")
    func filterWithOtherBreakdownCountsVisits() throws {
        let request = QueryRequest(site: "s", dimensions: [.dimension(.page)], filter: try Self.filter("country==DE"))
        #expect(try Self.path(request) == .visits)
    }

    @Test("imported days left out: the visit tables with that filter")
    func excludingImportsCountsVisits() throws {
        #expect(try Self.path(QueryRequest(site: "s", includeImported: false)) == .visits)
    }

    @Test("a range of times needs each hit's exact time: the journal")
    func instantsReadTheJournal() throws {
        let request = QueryRequest(site: "s", dateRange: .instants(from: 0, to: 3_600_000))
        #expect(try Self.path(request) == .journal)
        let filtered = QueryRequest(
            site: "s", dateRange: .instants(from: 0, to: 3_600_000), filter: try Self.filter("country==DE"))
        #expect(try Self.path(filtered) == .journal)
    }

    @Test("a hostile regular expression is refused when planning, before any data is read")
    func hostilePatternRefusedWhenPlanning() throws {
        #expect(throws: QueryError.self) {
            try QueryPlan.make(
                for: QueryRequest(site: "s", filter: try Self.filter("page=~(a+)+$")), budget: QueryBudget(seconds: 2))
        }
    }
}
