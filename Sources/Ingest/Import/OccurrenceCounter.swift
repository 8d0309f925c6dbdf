/// Numbers the copies of identical lines within one file (1, 2, …), so that each copy has its
/// own key. Identical log lines share their time to the second, so they stand close together: the
/// counter remembers the last ``window`` lines, which keeps its memory bounded on any file. A
/// line whose last copy is ``window`` or more lines back counts from 1 again.
///
/// An open-addressing table of line hashes (linear probing), because this runs once per imported
/// line on the importer's one sequential thread, where a `Dictionary` of tuples cost about an
/// eighth of the import's time (`Docs/benchmarks.md`). Entries that fell out of the window are
/// not deleted one by one; they read as absent, and the table is rebuilt with the live entries
/// when it fills. Slots come from the hash times a random odd multiplier (multiply-shift), so
/// lines crafted to collide under the ledger's public hash key do not collide here.
struct OccurrenceCounter {
    static let window = 1 << 20

    /// One slot: a line hash, the position of its last copy (`empty` when the slot is free) and
    /// how many copies so far; together, so that a probe touches one cache line.
    private struct Slot {
        static let empty = Slot(key: 0, position: .min, count: 0)
        var key: UInt64
        var position: Int
        var count: UInt32
    }

    private var slots: [Slot]
    private var shift: UInt64
    private var used = 0
    private var position = 0
    private let multiplier: UInt64

    /// An empty counter.
    init() {
        multiplier = UInt64.random(in: 0...UInt64.max) | 1
        (slots, shift) = Self.table(bits: 10)
    }

    private static func table(bits: Int) -> ([Slot], UInt64) {
        ([Slot](repeating: .empty, count: 1 << bits), UInt64(64 - bits))
    }

    @inline(__always)
    private func slot(of hash: UInt64) -> Int { Int(truncatingIfNeeded: (hash &* multiplier) &>> shift) }

    /// The occurrence of the line with this hash, counting this one.
    mutating func next(_ hash: UInt64) -> Int {
        let current = position
        position += 1
        // Copies at `forgotten` or before are out of the window.
        let forgotten = current - Self.window
        let mask = slots.count - 1
        var index = slot(of: hash)
        while slots[index].position != Slot.empty.position {
            if slots[index].key == hash {
                let occurrence = slots[index].position > forgotten ? slots[index].count + 1 : 1
                slots[index].count = occurrence
                slots[index].position = current
                return Int(occurrence)
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(key: hash, position: current, count: 1)
        used += 1
        if used * 4 > slots.count * 3 { rebuild(forgotten: forgotten) }
        return 1
    }

    /// A table with only the entries still in the window, at most half full.
    private mutating func rebuild(forgotten: Int) {
        let live = slots.reduce(0) { $0 + ($1.position > forgotten ? 1 : 0) }
        var bits = 10
        while (1 << bits) < live * 2 { bits += 1 }
        let old = slots
        (slots, shift) = Self.table(bits: bits)
        let mask = slots.count - 1
        for entry in old where entry.position > forgotten {
            var index = slot(of: entry.key)
            while slots[index].position != Slot.empty.position { index = (index + 1) & mask }
            slots[index] = entry
        }
        used = live
    }
}
