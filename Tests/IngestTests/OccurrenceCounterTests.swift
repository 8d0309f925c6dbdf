import InfinityTestSupport
import Testing

@testable import Ingest

/// The copies of a line are numbered 1, 2, … as long as the last copy is within the window, and
/// from 1 again after it: the numbers become the import ledger's keys, so a wrong number would
/// import a line twice or drop one on a retry.
struct OccurrenceCounterTests {
    /// The rule written plainly: a dictionary of each line's last position and count.
    struct Reference {
        var last: [UInt64: (count: Int, position: Int)] = [:]
        var position = 0

        mutating func next(_ hash: UInt64) -> Int {
            defer { position += 1 }
            let count = last[hash].map { position - $0.position < OccurrenceCounter.window ? $0.count + 1 : 1 } ?? 1
            last[hash] = (count, position)
            return count
        }
    }

    @Test("copies are numbered as the plain rule numbers them, across the window's edge and table rebuilds")
    func matchesThePlainRule() {
        var random = SplitMix(seed: 11)
        var counter = OccurrenceCounter()
        var reference = Reference()
        let window = OccurrenceCounter.window
        // Lines that come back exactly a window later (counted from 1 again) and one line short of
        // it (still the second copy).
        var scheduled: [Int: (hash: UInt64, expected: Int?)] = [:]
        for first in stride(from: 0, to: window / 2, by: 997) {
            scheduled[first] = (10_000_000 + UInt64(first), 1)
            scheduled[first + window] = (10_000_000 + UInt64(first), 1)
            scheduled[first + 2] = (20_000_000 + UInt64(first), 1)
            scheduled[first + 2 + window - 1] = (20_000_000 + UInt64(first), 2)
        }
        var mismatches = 0
        var checked = 0
        for position in 0..<(window + window / 2) {
            let hash: UInt64
            var expected: Int?
            if let planned = scheduled[position] {
                (hash, expected) = planned
            } else {
                // Mostly distinct lines (the table grows and is rebuilt), a few busy lines, and
                // runs of repeats close together (a line logged several times in one second).
                switch random.next() % 10 {
                case 0: hash = UInt64(random.next() % 50)
                case 1: hash = 1_000 + UInt64(position % 7)
                default: hash = random.next() | 1 << 63
                }
            }
            let plain = reference.next(hash)
            if let expected {
                #expect(plain == expected, "the plain rule itself, at \(position)")
                checked += 1
            }
            if counter.next(hash) != plain { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(checked == 4 * (window / 2 / 997 + 1))
    }
}
