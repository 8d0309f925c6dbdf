extension DayRollup {
    /// Adds the numbers of `other` (another source's numbers for the same day, such as an
    /// imported table): totals hour by hour, and each dimension's cells by key and hour.
    public mutating func add(_ other: DayRollup) {
        for hour in totals.indices where hour < other.totals.count { totals[hour] += other.totals[hour] }
        records += other.records
        for dimension in Dimension.allCases {
            let theirs = other[dimension]
            guard !theirs.rows.isEmpty else { continue }
            self[dimension].add(theirs)
        }
    }
}

extension DimensionTable {
    /// Adds `other`'s cells: a key and hour both have are summed, the others appended.
    mutating func add(_ other: DimensionTable) {
        var index: [String: UInt32] = [:]
        index.reserveCapacity(keys.count + other.keys.count)
        for (position, key) in keys.enumerated() { index[key] = UInt32(position) }
        var cell: [UInt64: Int] = [:]
        for (position, row) in rows.enumerated() { cell[UInt64(row.key) << 8 | UInt64(row.hour)] = position }
        for row in other.rows {
            let label = other.keys[Int(row.key)]
            let key: UInt32
            if let known = index[label] {
                key = known
            } else {
                key = UInt32(keys.count)
                keys.append(label)
                index[label] = key
            }
            if let position = cell[UInt64(key) << 8 | UInt64(row.hour)] {
                rows[position].metrics += row.metrics
            } else {
                cell[UInt64(key) << 8 | UInt64(row.hour)] = rows.count
                rows.append(Row(key: key, hour: row.hour, metrics: row.metrics))
            }
        }
    }
}
