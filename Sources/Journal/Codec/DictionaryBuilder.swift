/// Builds one dictionary-coded column: distinct values in first-seen order and an index per record.
struct DictionaryBuilder<Value: Hashable> {
    private(set) var values: [Value] = []
    private(set) var indices: [UInt32] = []
    private var lookup: [Value: UInt32] = [:]
    private var lastValue: Value?
    private var lastIndex: UInt32 = 0

    init(capacity: Int) {
        indices.reserveCapacity(capacity)
    }

    /// Adds one record's value and returns its dictionary index.
    @inline(__always)
    @discardableResult
    mutating func add(_ value: Value) -> UInt32 {
        // Neighbouring records often share a value (site, host, a visitor's pages): skip the hash.
        if let lastValue, lastValue == value {
            indices.append(lastIndex)
            return lastIndex
        }
        let index: UInt32
        if let known = lookup[value] {
            index = known
        } else {
            index = UInt32(values.count)
            values.append(value)
            lookup[value] = index
        }
        lastValue = value
        lastIndex = index
        indices.append(index)
        return index
    }

    /// Adds a value to the dictionary without recording an index (for sparse columns).
    mutating func intern(_ value: Value) -> UInt32 {
        if let known = lookup[value] { return known }
        let index = UInt32(values.count)
        values.append(value)
        lookup[value] = index
        return index
    }
}
