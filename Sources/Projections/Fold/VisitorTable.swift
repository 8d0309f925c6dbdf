/// Numbers the distinct visitor ids of a day 0, 1, 2, … in first-seen order.
///
/// An open-addressing table with linear probing. Visitor ids are already keyed hashes, so their
/// low bits index the table directly; no second hash is needed.
struct VisitorTable {
    private var keys: [UInt64]
    private var values: [UInt32]
    private var used: [Bool]
    private var mask: Int
    /// Number of distinct ids seen.
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [UInt32](repeating: 0, count: size)
        used = [Bool](repeating: false, count: size)
        mask = size - 1
    }

    /// The number of `id`, assigning the next one if it is new.
    @inline(__always)
    mutating func index(of id: UInt64) -> UInt32 {
        var slot = Int(truncatingIfNeeded: id ^ (id >> 29)) & mask
        while used[slot] {
            if keys[slot] == id { return values[slot] }
            slot = (slot + 1) & mask
        }
        let value = UInt32(count)
        keys[slot] = id
        values[slot] = value
        used[slot] = true
        count += 1
        if count * 2 > mask { grow() }
        return value
    }

    private mutating func grow() {
        let old = (keys, values, used)
        let size = (mask + 1) * 2
        keys = [UInt64](repeating: 0, count: size)
        values = [UInt32](repeating: 0, count: size)
        used = [Bool](repeating: false, count: size)
        mask = size - 1
        for slot in old.2.indices where old.2[slot] {
            var target = Int(truncatingIfNeeded: old.0[slot] ^ (old.0[slot] >> 29)) & mask
            while used[target] { target = (target + 1) & mask }
            keys[target] = old.0[slot]
            values[target] = old.1[slot]
            used[target] = true
        }
    }
}
