import Journal

/// Numbers the distinct visitor ids of a day 0, 1, 2, … in first-seen order, and remembers each
/// visitor's latest hit time so far, which tells whether a hit may start a visit.
///
/// An open-addressing table with linear probing over one block of (id, number) slots, so a lookup
/// touches one cache line. Visitor ids are already keyed hashes, so their bits index the table
/// directly; no second hash is needed. A class over raw memory, so that the hot lookup neither
/// checks array uniqueness nor bounds (the mask keeps slots in range).
///
/// Not `Sendable`: one fold owns it.
final class VisitorTable {
    private struct Slot {
        var id: UInt64
        /// The visitor's number, or `empty`.
        var number: UInt32
        /// The visitor's latest hit so far, in ms after the table's `base` (in the slot's padding).
        var latest: UInt32
    }

    /// Where ``Slot/latest`` counts from: two days before the first hit (a site-day's hits lie
    /// within about a day of each other, so every one fits in 32 bits from here).
    private var base: Int64?

    private static let empty = UInt32.max
    private var slots: UnsafeMutableBufferPointer<Slot>
    private var mask: Int
    /// Number of distinct ids seen.
    private(set) var count = 0

    /// A table sized for about `capacity` ids (it grows beyond).
    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Self.allocate(size)
        mask = size - 1
    }

    deinit { slots.deallocate() }

    private static func allocate(_ size: Int) -> UnsafeMutableBufferPointer<Slot> {
        let slots = UnsafeMutableBufferPointer<Slot>.allocate(capacity: size)
        slots.initialize(repeating: Slot(id: 0, number: empty, latest: 0))
        return slots
    }

    @inline(__always)
    private func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: id ^ (id >> 29)) & mask }

    /// The number of `id` (the next one if it is new), and whether a hit of it at `time` (ms)
    /// may start a visit: the visitor is new, or the hit is more than `timeout` after its latest
    /// earlier hit, or before it (hits that arrive out of order are sorted later).
    @inline(__always)
    func visit(_ id: UInt64, at time: Int64, timeout: Int64 = DayFolder.sessionTimeout) -> (
        number: UInt32, mayStart: Bool
    ) {
        let origin = base ?? (time - 2 * LocalClock.dayLength)
        if base == nil { base = origin }
        let offset = UInt32(clamping: max(0, time - origin))
        var slot = home(id)
        while true {
            let entry = slots[slot]
            if entry.number == Self.empty { break }
            if entry.id == id {
                let latest = entry.latest
                if offset > latest { slots[slot].latest = offset }
                return (entry.number, offset < latest || Int64(offset) - Int64(latest) > timeout)
            }
            slot = (slot &+ 1) & mask
        }
        let number = UInt32(count)
        slots[slot] = Slot(id: id, number: number, latest: offset)
        count += 1
        if count * 2 > mask { grow() }
        return (number, true)
    }

    /// The number of `id`, if it was seen.
    func number(of id: UInt64) -> UInt32? {
        var slot = home(id)
        while true {
            let entry = slots[slot]
            if entry.number == Self.empty { return nil }
            if entry.id == id { return entry.number }
            slot = (slot &+ 1) & mask
        }
    }

    private func grow() {
        let old = slots
        let size = (mask + 1) * 2
        slots = Self.allocate(size)
        mask = size - 1
        for entry in old where entry.number != Self.empty {
            var target = home(entry.id)
            while slots[target].number != Self.empty { target = (target &+ 1) & mask }
            slots[target] = entry
        }
        old.deallocate()
    }
}
