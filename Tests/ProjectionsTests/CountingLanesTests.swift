import Foundation
import InfinityTestSupport
import Journal
import Testing

@testable import Projections

/// A large day counted on several threads (each a run of whole visitors, summed after) gives every
/// number that counting it on one thread gives.
@Suite struct CountingLanesTests {
    /// What questions count: some dimensions or all, per hour or per day, with and without filters.
    static let scopes: [(only: Set<Projections.Dimension>?, hourly: Bool, filter: Int?)] = [
        ([.country], true, nil), ([.source, .browser], false, nil), ([.page], true, nil), ([.country], true, 0),
        ([.country, .device], true, 1), ([.source], false, 2), (nil, false, nil),
    ]

    /// One UTC day of one site with about 75,000 hits (110,000 records with engagement reports):
    /// large enough to be split. Made once for the suite.
    static let made: Result<TemporaryDirectory, any Error> = Result {
        let data = TemporaryDirectory("CountingLanesTests", untilExit: true)
        var generator = TrafficGenerator(
            sites: [TrafficGenerator.Site(domain: "example.com", utcOffsetMinutes: 0, pages: 120)], seed: 3)
        generator.engagement = 0.5
        try Fixtures.append(
            generator.allHits(firstDay: Fixtures.firstDay, days: 1, countPerSite: 110_000), data: data.path,
            blockSize: 8_192)
        _ = try Fixtures.rebuild(data: data.path)
        return data
    }

    @Test(arguments: 0..<scopes.count)
    func laneCountsEqualOneThreadsCounts(_ index: Int) throws {
        let scope = Self.scopes[index]
        let filter = scope.filter.map { ExactnessTests.filters[$0].1 }
        let generation = try #require(try RollupStore(dataDirectory: try Self.made.get().path).current())
        var compared = 0
        for key in try generation.keys() {
            let table = try #require(try generation.reader(for: key)).visits(.all)
            guard table.hitCount >= 1 << 16 else { continue }
            func counted(lanes: Int) -> [String: [String: [Int: Metrics]]] {
                ReferenceFold.shape(
                    of: DayFolder.count(
                        table, key: key, position: 0, filter: filter, only: scope.only, hourly: scope.hourly,
                        lanes: lanes))
            }
            let one = counted(lanes: 1)
            #expect(!one.isEmpty)
            for lanes in [2, 3] {
                let split = counted(lanes: lanes)
                let mismatches = ExactnessTests.differences([key: one], [key: split])
                #expect(mismatches.isEmpty, "\(lanes) lanes:\n\(mismatches.joined(separator: "\n"))")
            }
            compared += 1
        }
        #expect(compared >= 1, "no day was large enough to be split")
    }
}
