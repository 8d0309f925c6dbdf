/// Builds one dictionary-coded column: distinct values in first-seen order and an index per record.
struct DictionaryBuilder<Value: Hashable> {
    private(set) var values: [Value] = []
    private(set) var indices: [UInt32] = []
    /// Value → index, built only once there are more than ``linearLimit`` distinct values.
    private var lookup: [Value: UInt32] = [:]
    /// The last few distinct values seen, checked before hashing: a block's columns mostly repeat
    /// a handful of values (sites, browsers, countries), and equal strings that share storage
    /// compare in constant time.
    private var recent: [(Value, UInt32)] = []

    /// Up to this many distinct values are found by comparing with each, without a hash table.
    /// A live server's blocks hold about 20 records, so most of their sixteen columns never need
    /// one: building and growing a table per column was most of a small block's encoding time.
    static var linearLimit: Int { 16 }

    init(capacity: Int) {
        indices.reserveCapacity(capacity)
        // Room for the few distinct values of a small block at once, not four regrowths a column.
        if capacity > 0 { values.reserveCapacity(Swift.min(capacity, Self.linearLimit)) }
    }

    /// Adds one record's value and returns its dictionary index.
    @inline(__always)
    @discardableResult
    mutating func add(_ value: Value) -> UInt32 {
        // While the values are few, finding one among them is as quick as among the recent ones.
        guard !lookup.isEmpty else {
            let index = intern(value)
            indices.append(index)
            return index
        }
        for (candidate, index) in recent where candidate == value {
            indices.append(index)
            return index
        }
        let index = intern(value)
        if recent.count < 4 { recent.append((value, index)) } else { recent[Int(index) & 3] = (value, index) }
        indices.append(index)
        return index
    }

    /// Puts the dictionary in `areInIncreasingOrder`'s order, renumbering the indices to match.
    mutating func sort(by areInIncreasingOrder: (Value, Value) -> Bool) {
        let count = values.count
        guard count > 1 else { return }
        if count <= Self.linearLimit {
            sortFew(by: areInIncreasingOrder)
            return
        }
        let order = values.indices.sorted { areInIncreasingOrder(values[$0], values[$1]) }
        var renumbered = [UInt32](repeating: 0, count: values.count)
        for (position, old) in order.enumerated() { renumbered[old] = UInt32(position) }
        values = order.map { values[$0] }
        for i in indices.indices { indices[i] = renumbered[Int(indices[i])] }
        lookup.removeAll()
        recent.removeAll()
    }

    /// ``sort(by:)`` for a dictionary of a few values (a live server's small blocks): an insertion
    /// sort in place, with the old positions on the stack, so that none of a block's sixteen
    /// columns allocates for its order. The values are distinct, so any sort gives the same order.
    /// So few values have no lookup table and no recent list to renumber (see ``add(_:)``).
    private mutating func sortFew(by areInIncreasingOrder: (Value, Value) -> Bool) {
        let count = values.count
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { old in
            for i in 0..<count { old[i] = UInt32(i) }
            var moved = false
            values.withUnsafeMutableBufferPointer { values in
                for i in 1..<count {
                    var j = i
                    while j > 0, areInIncreasingOrder(values[j], values[j - 1]) {
                        values.swapAt(j, j - 1)
                        old.swapAt(j, j - 1)
                        j -= 1
                        moved = true
                    }
                }
            }
            guard moved else { return }
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { renumbered in
                for position in 0..<count { renumbered[Int(old[position])] = UInt32(position) }
                for i in indices.indices { indices[i] = renumbered[Int(indices[i])] }
            }
        }
    }

    /// Adds a value to the dictionary without recording an index (for sparse columns).
    mutating func intern(_ value: Value) -> UInt32 {
        if lookup.isEmpty {
            if let known = values.firstIndex(of: value) { return UInt32(known) }
        } else if let known = lookup[value] {
            return known
        }
        let index = UInt32(values.count)
        values.append(value)
        if !lookup.isEmpty {
            lookup[value] = index
        } else if values.count > Self.linearLimit {
            lookup.reserveCapacity(values.count * 2)
            for (position, known) in values.enumerated() { lookup[known] = UInt32(position) }
        }
        return index
    }
}
