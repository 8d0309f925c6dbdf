import Foundation
import InfinityTestSupport
import Journal
import Projections
import Testing

@Suite struct ExactnessTests {
    /// The first few differences between two results, for a readable failure.
    static func differences(
        _ expected: ReferenceFold.Result, _ actual: ReferenceFold.Result, limit: Int = 5
    ) -> [String] {
        var mismatches: [String] = []
        for key in Set(expected.keys).union(actual.keys).sorted() {
            let want = expected[key] ?? [:]
            let got = actual[key] ?? [:]
            for dimension in Set(want.keys).union(got.keys).sorted() {
                let wantValues = want[dimension] ?? [:]
                let gotValues = got[dimension] ?? [:]
                for value in Set(wantValues.keys).union(gotValues.keys).sorted() {
                    let a = wantValues[value] ?? [:]
                    let b = gotValues[value] ?? [:]
                    for hour in Set(a.keys).union(b.keys).sorted() where a[hour] != b[hour] && mismatches.count < limit
                    {
                        mismatches.append(
                            "\(key) \(dimension)=\(value) hour \(hour): expected \(a[hour].map { "\($0)" } ?? "nothing"), got \(b[hour].map { "\($0)" } ?? "nothing")"
                        )
                    }
                }
            }
        }
        return mismatches
    }

    /// Every day file's visit table, counted with every dimension per hour and `filter`.
    static func countedVisitTables(data: String, filter: HitFilter? = nil) throws -> ReferenceFold.Result {
        let generation = try #require(try RollupStore(dataDirectory: data).current())
        var result: ReferenceFold.Result = [:]
        for key in try generation.keys() {
            let table = try #require(try generation.reader(for: key)).visits(.all)
            let rollup = DayFolder.count(table, key: key, position: 0, filter: filter, only: nil, hourly: true)
            let shape = ReferenceFold.shape(of: rollup)
            if !shape.isEmpty { result[key] = shape }
        }
        return result
    }

    @Test func everyStoredRollupNumberEqualsAPlainReferenceFold() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 30, perDay: 300)
        _ = try Fixtures.rebuild(data: data.path)
        let rollups = try Fixtures.rollups(data: data.path)
        let reference = ReferenceFold.fold(try Fixtures.readAll(data: data.path), zones: Fixtures.zones)
        #expect(Set(rollups.keys) == Set(reference.keys))
        #expect(rollups.count >= 90)
        let stored = rollups.mapValues(ReferenceFold.shape(of:))
        let mismatches = Self.differences(ReferenceFold.stored(reference), stored)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // The fixture really exercises what the numbers depend on.
        let total = rollups.values.reduce(Metrics()) { sum, rollup in
            var sum = sum
            sum += rollup.totals[24]
            return sum
        }
        #expect(total.bounces > 0 && total.bounces < total.visits)
        #expect(total.revenue > 0 && total.events > 0 && total.duration > 0)
    }

    /// A visitor's hits that arrive out of time order, late by hours or in the same millisecond
    /// are put in time order, journal order breaking ties, before visits are cut: entry and exit
    /// pages, bounces and durations come out as the reference's.
    @Test func hitsOutOfTimeOrderFoldAsThePlainReferenceFold() throws {
        let data = TemporaryDirectory()
        let (hits, moved) = Fixtures.disordered(
            Fixtures.generator(seed: 13).allHits(firstDay: Fixtures.firstDay, days: 4, countPerSite: 600), seed: 9,
            every: 8)
        #expect(moved > hits.count / 4)
        try Fixtures.append(hits, data: data.path, blockSize: 500)
        _ = try Fixtures.rebuild(data: data.path)
        let rollups = try Fixtures.rollups(data: data.path)
        let reference = ReferenceFold.fold(try Fixtures.readAll(data: data.path), zones: Fixtures.zones)
        #expect(Set(rollups.keys) == Set(reference.keys))
        let mismatches = Self.differences(ReferenceFold.stored(reference), rollups.mapValues(ReferenceFold.shape(of:)))
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    @Test func storedVisitTablesGiveEveryHourlyNumberOfThePlainReferenceFold() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 8, perDay: 300)
        _ = try Fixtures.rebuild(data: data.path)
        let reference = ReferenceFold.fold(try Fixtures.readAll(data: data.path), zones: Fixtures.zones)
        let mismatches = Self.differences(reference, try Self.countedVisitTables(data: data.path))
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    /// Filters of every kind: a hit dimension, a session dimension, a property, and combinations.
    static var filters: [(String, HitFilter, (Hit, [String: String]) -> Bool)] {
        [
            ("country is DE", .value(.country, { $0 == "DE" }), { $1["country"] == "DE" }),
            ("page contains blog", .value(.page, { $0.contains("blog") }), { hit, _ in hit.pathname.contains("blog") }),
            (
                "entry page is / and not Firefox",
                .all([.value(.entryPage, { $0 == "/" }), .not(.value(.browser, { $0 == "Firefox" }))]),
                { $1["entry_page"] == "/" && $1["browser"] != "Firefox" }
            ),
            (
                "goal Signup or prop plan=pro",
                .any([.value(.goal, { $0 == "Signup" }), .value(.property, { $0 == "plan=pro" })]),
                { hit, _ in
                    (!hit.isPageview && hit.name == "Signup")
                        || hit.props.contains { $0.key == "plan" && $0.value == "pro" }
                }
            ),
            ("live hits only", .imported(false), { hit, _ in !hit.flags.contains(.imported) }),
        ]
    }

    @Test(arguments: 0..<filters.count)
    func filteredCountsFromStoredVisitTablesEqualThePlainReferenceFold(_ index: Int) throws {
        let (name, filter, matching) = Self.filters[index]
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 4, perDay: 400)
        _ = try Fixtures.rebuild(data: data.path)
        let reference = ReferenceFold.fold(
            try Fixtures.readAll(data: data.path), zones: Fixtures.zones, matching: matching)
        let counted = try Self.countedVisitTables(data: data.path, filter: filter)
        let mismatches = Self.differences(reference, counted)
        #expect(mismatches.isEmpty, "\(name):\n\(mismatches.joined(separator: "\n"))")
        #expect(!counted.isEmpty, "\(name) matched nothing: the case tests nothing")
    }
}
