/// Numbers the distinct visitor ids of a day 0, 1, 2, … in first-seen order.
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
    }

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
        slots.initialize(repeating: Slot(id: 0, number: empty))
        return slots
    }

    @inline(__always)
    private func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: id ^ (id >> 29)) & mask }

    /// The number of `id`, assigning the next one if it is new.
    @inline(__always)
    func index(of id: UInt64) -> UInt32 {
        var slot = home(id)
        while true {
            let entry = slots[slot]
            if entry.number == Self.empty { break }
            if entry.id == id { return entry.number }
            slot = (slot &+ 1) & mask
        }
        let number = UInt32(count)
        slots[slot] = Slot(id: id, number: number)
        count += 1
        if count * 2 > mask { grow() }
        return number
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
