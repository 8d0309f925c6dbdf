import Journal

/// Gathering: one compact row per record, visitors numbered, and the session keys of rows that
/// may start a visit, while the blocks are at hand.
extension FoldState {
    /// Appends a row per record to ``gathered`` and returns the records' visitor ids.
    mutating func gather(_ slices: [DaySlice]) -> [UInt64] {
        let total = slices.reduce(0) { $0 + $1.records.count }
        // Rows and ids are written through plain pointers into arrays allocated at their size;
        // an append a record would check the array's uniqueness and capacity every time.
        var ids: [UInt64] = []
        let rows = [FoldRow](unsafeUninitializedCapacity: total) { rows, initialized in
            ids = [UInt64](unsafeUninitializedCapacity: total) { ids, written in
                // Every slice's records are counted in `total`, so `next` stays below it.
                var next = 0
                for slice in slices { gather(slice, rows: rows, ids: ids, next: &next) }
                written = next
            }
            initialized = ids.count
        }
        if gathered.isEmpty { gathered = rows } else { gathered.append(contentsOf: rows) }
        return ids
    }

    /// Writes a row and a visitor id for each record of `slice` at `next` on, advancing it.
    private mutating func gather(
        _ slice: DaySlice, rows: UnsafeMutableBufferPointer<FoldRow>,
        ids visitorIDList: UnsafeMutableBufferPointer<UInt64>,
        next: inout Int
    ) {
        let block = slice.block
        // Block dictionary entries → key ids, interned on first use: a block holds every
        // site's values, and only this site-day's belong in its key spaces.
        let pathDictionary = block.column(.pathname).dictionary
        let hostDictionary = block.column(.hostname).dictionary
        let nameDictionary = block.column(.name).dictionary
        var pages = [UInt32](repeating: Self.unset, count: pathDictionary.count)
        var hosts = [UInt32](repeating: Self.unset, count: hostDictionary.count)
        var names = [UInt32](repeating: Self.unset, count: nameDictionary.count)
        let pathIndices = block.column(.pathname).indices
        let hostIndices = block.column(.hostname).indices
        let nameIndices = block.column(.name).indices
        let properties = block.props
        let revenues = block.revenue
        let timestamps = block.timestamps, ids = block.visitorIDs, flags = block.flags
        let propertyRecords = properties.records, revenueRecords = revenues.records
        var propertyKeys = [UInt32](repeating: Self.unset, count: properties.keyDictionary.count)
        var propertyPairs: [UInt64: UInt32] = [:]
        var propertyCursor = 0
        var revenueCursor = 0
        for record in slice.records {
            let index = Int(record)
            let time = timestamps[index]
            let hour = clock.dayAndHour(of: time).hour
            (visitorIDList.baseAddress! + next).initialize(to: ids[index])
            var extra: Int32 = -1
            while propertyCursor < propertyRecords.count && propertyRecords[propertyCursor] < record {
                propertyCursor += 1
            }
            while revenueCursor < revenueRecords.count && revenueRecords[revenueCursor] < record {
                revenueCursor += 1
            }
            let hasProperties = propertyCursor < propertyRecords.count && propertyRecords[propertyCursor] == record
            let hasRevenue = revenueCursor < revenueRecords.count && revenueRecords[revenueCursor] == record
            if hasProperties || hasRevenue {
                if hasProperties {
                    let range = Int(properties.starts[propertyCursor])..<Int(properties.starts[propertyCursor + 1])
                    for pair in range {
                        let keyEntry = Int(properties.keys[pair]), valueEntry = Int(properties.values[pair])
                        if propertyKeys[keyEntry] == Self.unset {
                            propertyKeys[keyEntry] = spaces[KeySpace.propertyKey.rawValue].intern(
                                properties.keyDictionary[keyEntry])
                        }
                        let both = UInt64(keyEntry) << 32 | UInt64(valueEntry)
                        var property = propertyPairs[both] ?? Self.unset
                        if property == Self.unset {
                            property = spaces[KeySpace.property.rawValue].intern(
                                Dimension.property(
                                    properties.keyDictionary[keyEntry], properties.valueDictionary[valueEntry]))
                            propertyPairs[both] = property
                        }
                        extras.appendPair(key: propertyKeys[keyEntry], property: property)
                    }
                }
                if hasRevenue {
                    let currency = revenues.currencyDictionary[Int(revenues.currencies[revenueCursor])]
                    extra = Int32(
                        extras.finish(
                            revenue: revenues.amounts[revenueCursor],
                            currency: spaces[KeySpace.currency.rawValue].intern(currency)))
                } else {
                    extra = Int32(extras.finish())
                }
            }
            let pathEntry = Int(pathIndices[index]), hostEntry = Int(hostIndices[index])
            let nameEntry = Int(nameIndices[index])
            if pages[pathEntry] == Self.unset {
                pages[pathEntry] = spaces[KeySpace.page.rawValue].intern(pathDictionary[pathEntry])
            }
            if hosts[hostEntry] == Self.unset {
                hosts[hostEntry] = spaces[KeySpace.hostname.rawValue].intern(hostDictionary[hostEntry])
            }
            if names[nameEntry] == Self.unset {
                let name = nameDictionary[nameEntry]
                names[nameEntry] = name == Hit.pageview ? .max : spaces[KeySpace.goal.rawValue].intern(name)
            }
            (rows.baseAddress! + next).initialize(
                to: FoldRow(
                    time: time, start: .max,
                    page: pages[pathEntry], hostname: hosts[hostEntry], goal: names[nameEntry], extra: extra,
                    hour: UInt8(hour), flags: flags[index]))
            next += 1
        }
    }

    /// Numbers the visitors of the rows from `first` on, in a loop of its own: its table lookups
    /// are independent of each other, so the processor overlaps their cache misses. The same
    /// lookup tells which rows may start a visit (see ``startKeys``); they are marked and returned.
    mutating func numberVisitors(_ ids: [UInt64], from first: Int) -> [Int] {
        if first == 0 { visitorIDs = VisitorTable(capacity: ids.count / 8) }
        let visitors = visitorIDs
        var starting: [Int] = []
        var next = UInt32(startCount)
        visitorNumbers.append(contentsOf: repeatElement(0, count: ids.count))
        gathered.withUnsafeMutableBufferPointer { rows in
            visitorNumbers.withUnsafeMutableBufferPointer { numbers in
                ids.withUnsafeBufferPointer { ids in
                    for index in 0..<ids.count {
                        let row = first + index
                        let (number, mayStart) = visitors.visit(ids[index], at: rows[row].time)
                        numbers[row] = number
                        if mayStart {
                            rows[row].start = next
                            next += 1
                            starting.append(row)
                        }
                    }
                }
            }
        }
        startCount = Int(next)
        return starting
    }

    /// Records the session keys of the `starting` rows (ascending, from `first` on), one block at
    /// a time and one key slot at a time, so that each loop reads a block column front to back
    /// and writes a key column front to back; the block dictionary entries → key ids are filled
    /// as rows need them.
    mutating func captureStarts(_ slices: [DaySlice], rows starting: [Int], from first: Int) {
        guard !starting.isEmpty else { return }
        // The starting rows were numbered in row order, so they fill each column from `base` on.
        let base = startCount - starting.count
        for slot in startKeys.indices where slot != FoldSlots.entry && slot != FoldSlots.exit {
            startKeys[slot].append(contentsOf: repeatElement(0, count: starting.count))
        }
        let stringSlots = Dimension.sessionLevel.enumerated().compactMap {
            slot, dimension -> (Int, StringField, Int)? in
            guard let field = KeySpace(dimension).field, dimension != .entryPage, dimension != .exitPage else {
                return nil
            }
            return (slot, field, KeySpace(dimension).rawValue)
        }
        let enumSlots: [(Int, KeyPath<HitBlock, [UInt8]>)] = [
            (FoldSlots.slot(of: .channel), \.channels), (FoldSlots.slot(of: .device), \.devices),
            (FoldSlots.slot(of: .screen), \.screens),
        ]
        let versionSlots = [
            (
                FoldSlots.slot(of: .browserVersion), StringField.browser, StringField.browserVersion,
                KeySpace.browserVersion
            ),
            (FoldSlots.slot(of: .osVersion), .os, .osVersion, .osVersion),
        ]
        // The starting rows of each slice and their records (rows of a slice are contiguous and
        // in record order).
        var cursor = 0
        var rowStart = first
        for slice in slices {
            let rowEnd = rowStart + slice.records.count
            let output = base + cursor  // the first starting row's place in each key column
            var records: [Int] = []
            while cursor < starting.count && starting[cursor] < rowEnd {
                records.append(Int(slice.records[starting[cursor] - rowStart]))
                cursor += 1
            }
            rowStart = rowEnd
            guard !records.isEmpty else { continue }
            let block = slice.block
            for (slot, column) in enumSlots {
                startKeys[slot].withUnsafeMutableBufferPointer { out in
                    block[keyPath: column].withUnsafeBufferPointer { values in
                        for (index, record) in records.enumerated() { out[output + index] = UInt32(values[record]) }
                    }
                }
            }
            for (slot, field, space) in stringSlots {
                let strings = block.strings[field.rawValue]
                var translation = [UInt32](repeating: .max, count: strings.dictionary.count)
                translation.withUnsafeMutableBufferPointer { translation in
                    startKeys[slot].withUnsafeMutableBufferPointer { out in
                        strings.indices.withUnsafeBufferPointer { indices in
                            for (index, record) in records.enumerated() {
                                let entry = Int(indices[record])
                                var id = translation[entry]
                                if id == .max {
                                    id = spaces[space].intern(strings.dictionary[entry])
                                    translation[entry] = id
                                }
                                out[output + index] = id
                            }
                        }
                    }
                }
            }
            for (slot, familyField, versionField, space) in versionSlots {
                let family = block.strings[familyField.rawValue], version = block.strings[versionField.rawValue]
                let versions = version.dictionary.count
                var translation = [UInt32](repeating: .max, count: family.dictionary.count * versions)
                for (index, record) in records.enumerated() {
                    let familyEntry = Int(family.indices[record]), versionEntry = Int(version.indices[record])
                    let cell = familyEntry * versions + versionEntry
                    var id = translation[cell]
                    if id == .max {
                        let text = Dimension.versioned(family.dictionary[familyEntry], version.dictionary[versionEntry])
                        id = spaces[space.rawValue].intern(text)
                        translation[cell] = id
                    }
                    startKeys[slot][output + index] = id
                }
            }
        }
    }

    /// A block dictionary entry not yet interned.
    static let unset = UInt32.max - 1
}
