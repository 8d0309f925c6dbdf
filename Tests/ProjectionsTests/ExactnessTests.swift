import Foundation
import InfinityTestSupport
import Journal
import Projections
import Testing

@Suite struct ExactnessTests {
    @Test func everyRollupNumberEqualsAPlainReferenceFold() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 30, perDay: 300)
        _ = try Fixtures.rebuild(data: data.path)
        let rollups = try Fixtures.rollups(data: data.path)
        let reference = ReferenceFold.fold(try Fixtures.readAll(data: data.path), zones: Fixtures.zones)
        #expect(Set(rollups.keys) == Set(reference.keys))
        #expect(rollups.count >= 90)
        var mismatches: [String] = []
        for (key, expected) in reference {
            guard let rollup = rollups[key] else { continue }
            let actual = ReferenceFold.shape(of: rollup)
            for dimension in Set(expected.keys).union(actual.keys) {
                for value in Set(expected[dimension, default: [:]].keys).union(actual[dimension, default: [:]].keys) {
                    let want = expected[dimension]?[value] ?? [:]
                    let got = actual[dimension]?[value] ?? [:]
                    for hour in Set(want.keys).union(got.keys) where want[hour] != got[hour] && mismatches.count < 5 {
                        let expected = want[hour].map { "\($0)" } ?? "nothing"
                        let actual = got[hour].map { "\($0)" } ?? "nothing"
                        mismatches.append(
                            "\(key) \(dimension)=\(value) hour \(hour): expected \(expected), got \(actual)")
                    }
                }
            }
        }
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
}
