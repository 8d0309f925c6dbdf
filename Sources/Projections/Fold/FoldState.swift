import Journal

/// One record of the day, with the ids the fold needs for every hit.
struct FoldRow {
    var time: Int64
    var visitor: UInt32
    var slice: UInt32
    var record: UInt32
    var page: UInt32
    var hostname: UInt32
    /// The goal id of a custom event; `UInt32.max` for a page view.
    var goal: UInt32
    /// Index into the extras (properties, revenue), or -1.
    var extra: Int32
    var hour: UInt8
    var flags: UInt8

    var isPageview: Bool { goal == .max }
    var interactive: Bool { flags & HitFlags.nonInteractive.rawValue == 0 }
}

/// Properties and revenue of the few records that carry them.
struct FoldExtra: Sendable, Equatable {
    var propertyKeys: [UInt32] = []
    var properties: [UInt32] = []
    var revenue: Int64 = 0
    var currency: UInt32 = .max
}

/// Turns one site-day's journal records into a ``VisitTable``: gather one compact row per record
/// (strings become small ids per key space, interned once per block dictionary), group the rows
/// by visitor with a stable counting sort, put each visitor's rows in time order, cut them into
/// visits, and give each visit its session keys from its first hit.
struct FoldState {
    let slices: [DaySlice]
    var clock: LocalClock
    var spaces = [Interner](repeating: Interner(), count: KeySpace.allCases.count)
    var rows: [FoldRow] = []
    var extras: [FoldExtra] = []
    var visitorIDs = VisitorTable()
    /// For each visitor, where its rows start once `rows` are grouped by visitor (one extra end entry).
    var visitorStarts: [Int32] = []
    /// The table's columns before packing, with fold-order key ids.
    var columns = Unpacked()
    /// Each visit's first row, entry row and exit row (positions in the grouped `rows`).
    var visitEnds: [(first: Int32, entry: Int32, exit: Int32)] = []

    init(slices: [DaySlice], clock: LocalClock) {
        self.slices = slices
        self.clock = clock
        // Enumerated dimensions get ids equal to their raw values, in order.
        for channel in Channel.allCases { _ = spaces[KeySpace.channel.rawValue].intern(channel.description) }
        for device in DeviceClass.allCases { _ = spaces[KeySpace.device.rawValue].intern(device.description) }
        for screen in ScreenClass.allCases { _ = spaces[KeySpace.screen.rawValue].intern(screen.description) }
    }

    /// The finished table, keys sorted.
    mutating func makeTable() -> VisitTable {
        gather()
        splitVisits()
        fillHits()
        assignVisitKeys()
        columns.keys = spaces.map(\.strings)
        columns.sortKeys()
        return columns.packed()
    }

    // MARK: - Gathering rows

    mutating func gather() {
        let total = slices.reduce(0) { $0 + $1.records.count }
        rows.reserveCapacity(total)
        var visitorIDList: [UInt64] = []
        visitorIDList.reserveCapacity(total)
        defer { numberVisitors(visitorIDList) }  // once every row is gathered
        for (sliceIndex, slice) in slices.enumerated() {
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
                visitorIDList.append(ids[index])
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
                    var item = FoldExtra()
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
                            item.propertyKeys.append(propertyKeys[keyEntry])
                            item.properties.append(property)
                        }
                    }
                    if hasRevenue {
                        item.revenue = revenues.amounts[revenueCursor]
                        let currency = revenues.currencyDictionary[Int(revenues.currencies[revenueCursor])]
                        item.currency = spaces[KeySpace.currency.rawValue].intern(currency)
                    }
                    extra = Int32(extras.count)
                    extras.append(item)
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
                rows.append(
                    FoldRow(
                        time: time, visitor: 0, slice: UInt32(sliceIndex), record: UInt32(record),
                        page: pages[pathEntry], hostname: hosts[hostEntry], goal: names[nameEntry], extra: extra,
                        hour: UInt8(hour), flags: flags[index]))
            }
        }
    }

    /// Numbers the visitors of the gathered rows, in a loop of its own: its table lookups are
    /// independent of each other, so the processor overlaps their cache misses.
    private mutating func numberVisitors(_ ids: [UInt64]) {
        let visitors = VisitorTable(capacity: ids.count / 8)
        rows.withUnsafeMutableBufferPointer { rows in
            ids.withUnsafeBufferPointer { ids in
                for index in 0..<ids.count { rows[index].visitor = visitors.index(of: ids[index]) }
            }
        }
        visitorIDs = visitors
    }

    /// A block dictionary entry not yet interned.
    private static let unset = UInt32.max - 1

    // MARK: - Visits

    /// Groups rows by visitor (stable, so journal order is kept) by moving them once into visitor
    /// order — every later pass then reads them front to back instead of jumping through an index —
    /// puts each visitor's rows in time order, and cuts them into visits.
    mutating func splitVisits() {
        let visitorCount = visitorIDs.count
        let count = rows.count
        visitorStarts = [Int32](repeating: 0, count: visitorCount + 1)
        for row in rows { visitorStarts[Int(row.visitor) + 1] += 1 }
        for index in 0..<visitorCount { visitorStarts[index + 1] += visitorStarts[index] }
        var fill = visitorStarts
        let grouped = rows.withUnsafeBufferPointer { rows in
            [FoldRow](unsafeUninitializedCapacity: count) { buffer, initialized in
                fill.withUnsafeMutableBufferPointer { fill in
                    for row in rows {
                        let visitor = Int(row.visitor)
                        (buffer.baseAddress! + Int(fill[visitor])).initialize(to: row)
                        fill[visitor] &+= 1
                    }
                }
                initialized = count
            }
        }
        rows = grouped
        columns.visitStarts.reserveCapacity(count / 2)
        columns.visitorStarts.reserveCapacity(visitorCount + 1)
        visitEnds.reserveCapacity(count / 2)
        for visitor in 0..<visitorCount {
            let start = Int(visitorStarts[visitor])
            let end = Int(visitorStarts[visitor + 1])
            sortByTime(start..<end)
            var visitStart = start
            for position in start..<end {
                if position == end - 1 || rows[position + 1].time - rows[position].time > DayFolder.sessionTimeout {
                    addVisit(visitStart..<(position + 1))
                    visitStart = position + 1
                }
            }
            columns.visitorStarts.append(UInt32(columns.visitStarts.count - 1))
        }
    }

    private mutating func sortByTime(_ range: Range<Int>) {
        let sorted = rows.withUnsafeBufferPointer { rows in
            var previous = Int64.min
            for position in range {
                let time = rows[position].time
                if time < previous { return false }
                previous = time
            }
            return true
        }
        if sorted { return }
        // Rare (imported or clock-skewed hits): order by time, journal order (slice, then record)
        // breaking ties.
        rows[range].sort { ($0.time, $0.slice, $0.record) < ($1.time, $1.slice, $1.record) }
    }

    private mutating func addVisit(_ range: Range<Int>) {
        var pageviews = 0
        var interactiveEvents = 0
        var entry: Int32 = -1
        var exit: Int32 = -1
        for position in range {
            let row = rows[position]
            if row.isPageview {
                pageviews += 1
                if entry < 0 { entry = Int32(position) }
                exit = Int32(position)
            } else if row.interactive {
                interactiveEvents += 1
            }
        }
        let first = Int32(range.lowerBound)
        if entry < 0 {
            entry = first
            exit = Int32(range.upperBound - 1)
        }
        columns.visitStarts.append(UInt32(range.upperBound))
        columns.bounces.append(pageviews == 1 && interactiveEvents == 0 ? 1 : 0)
        columns.durations.append(UInt32(clamping: rows[range.upperBound - 1].time - rows[range.lowerBound].time))
        visitEnds.append((first: first, entry: entry, exit: exit))
    }

    /// Copies every hit's columns into the table, in visit order.
    mutating func fillHits() {
        let count = rows.count
        columns.extras = extras
        rows.withUnsafeBufferPointer { rows in
            func column<T>(_ value: (FoldRow) -> T) -> [T] {
                [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for position in 0..<count { buffer[position] = value(rows[position]) }
                    initialized = count
                }
            }
            columns.pages = column(\.page)
            columns.hostnames = column(\.hostname)
            columns.goals = column(\.goal)
            columns.hours = column { UInt32($0.hour) }
            columns.flags = column { UInt32($0.flags) }
            columns.times = column(\.time)
            for position in 0..<count where rows[position].extra >= 0 {
                columns.extraHits.append(Int32(position))
                columns.extraOrder.append(rows[position].extra)
            }
        }
    }

    /// Gives every visit its session-level keys (from its first hit, entry and exit page), one
    /// block at a time so that each block's columns are looked up once, not once per visit.
    mutating func assignVisitKeys() {
        let visits = columns.visitStarts.count - 1
        var keys = Dimension.sessionLevel.map { _ in [UInt32](repeating: 0, count: visits) }
        var bySlice = [[Int32]](repeating: [], count: slices.count)
        for (index, ends) in visitEnds.enumerated() { bySlice[Int(rows[Int(ends.first)].slice)].append(Int32(index)) }
        let stringSlots = Dimension.sessionLevel.enumerated().compactMap {
            slot, dimension -> (Int, StringField, Int)? in
            guard let field = KeySpace(dimension).field, dimension != .entryPage, dimension != .exitPage else {
                return nil
            }
            return (slot, field, KeySpace(dimension).rawValue)
        }
        let channelSlot = FoldSlots.slot(of: .channel)
        let deviceSlot = FoldSlots.slot(of: .device), screenSlot = FoldSlots.slot(of: .screen)
        let versionSlots = [
            (
                FoldSlots.slot(of: .browserVersion), StringField.browser, StringField.browserVersion,
                KeySpace.browserVersion
            ),
            (FoldSlots.slot(of: .osVersion), .os, .osVersion, .osVersion),
        ]
        for (visit, ends) in visitEnds.enumerated() {
            keys[FoldSlots.entry][visit] = rows[Int(ends.entry)].page
            keys[FoldSlots.exit][visit] = rows[Int(ends.exit)].page
        }
        // Each slice's visits in the order of their first records, so that the loops below walk
        // each block column front to back (the processor prefetches it) instead of jumping about
        // it in visitor order: those jumps were cache misses, most of this function's time.
        var marker = [Int32](repeating: -1, count: slices.reduce(0) { max($0, $1.block.count) })
        var firstRecords = [[Int]](repeating: [], count: slices.count)
        for sliceIndex in bySlice.indices where !bySlice[sliceIndex].isEmpty {
            let visitsHere = bySlice[sliceIndex]
            for visit in visitsHere { marker[Int(rows[Int(visitEnds[Int(visit)].first)].record)] = visit }
            var ordered: [Int32] = []
            var records: [Int] = []
            ordered.reserveCapacity(visitsHere.count)
            records.reserveCapacity(visitsHere.count)
            for record in slices[sliceIndex].records where marker[Int(record)] >= 0 {
                ordered.append(marker[Int(record)])
                records.append(Int(record))
                marker[Int(record)] = -1
            }
            bySlice[sliceIndex] = ordered
            firstRecords[sliceIndex] = records
        }
        for (sliceIndex, visitIndices) in bySlice.enumerated() where !visitIndices.isEmpty {
            let block = slices[sliceIndex].block
            let records = firstRecords[sliceIndex]
            // One slot at a time over this slice's visits, so each loop is tight: the block's
            // dictionary entries → key ids are filled as visits need them.
            for (slot, column) in [
                (channelSlot, block.channels), (deviceSlot, block.devices), (screenSlot, block.screens),
            ] {
                keys[slot].withUnsafeMutableBufferPointer { out in
                    for (visit, record) in zip(visitIndices, records) { out[Int(visit)] = UInt32(column[record]) }
                }
            }
            for (slot, field, space) in stringSlots {
                let strings = block.strings[field.rawValue]
                var translation = [UInt32](repeating: .max, count: strings.dictionary.count)
                keys[slot].withUnsafeMutableBufferPointer { out in
                    strings.indices.withUnsafeBufferPointer { indices in
                        for (visit, record) in zip(visitIndices, records) {
                            let entry = Int(indices[record])
                            var id = translation[entry]
                            if id == .max {
                                id = spaces[space].intern(strings.dictionary[entry])
                                translation[entry] = id
                            }
                            out[Int(visit)] = id
                        }
                    }
                }
            }
            for (slot, familyField, versionField, space) in versionSlots {
                let family = block.strings[familyField.rawValue], version = block.strings[versionField.rawValue]
                let versions = version.dictionary.count
                var translation = [UInt32](repeating: .max, count: family.dictionary.count * versions)
                keys[slot].withUnsafeMutableBufferPointer { out in
                    for (visit, record) in zip(visitIndices, records) {
                        let familyEntry = Int(family.indices[record]), versionEntry = Int(version.indices[record])
                        let cell = familyEntry * versions + versionEntry
                        var id = translation[cell]
                        if id == .max {
                            let text = Dimension.versioned(
                                family.dictionary[familyEntry], version.dictionary[versionEntry])
                            id = spaces[space.rawValue].intern(text)
                            translation[cell] = id
                        }
                        out[Int(visit)] = id
                    }
                }
            }
        }
        columns.sessionKeys = keys
    }
}

/// A visit table's columns as plain arrays, while a fold builds them.
struct Unpacked {
    var keys: [[String]] = []
    var pages: [UInt32] = []
    var hostnames: [UInt32] = []
    /// Goal key ids, `UInt32.max` for page views.
    var goals: [UInt32] = []
    var hours: [UInt32] = []
    var flags: [UInt32] = []
    var times: [Int64] = []
    var extraHits: [Int32] = []
    /// For each of ``extraHits``, its index into ``extras``.
    var extraOrder: [Int32] = []
    var extras: [FoldExtra] = []
    var visitStarts: [UInt32] = [0]
    var bounces: [UInt32] = []
    var durations: [UInt32] = []
    var sessionKeys: [[UInt32]] = []
    var visitorStarts: [UInt32] = [0]

    /// Sorts every key space's strings and renumbers every id that points into it, so that a
    /// table's ids (and the rollup rows counted from it) do not depend on first-seen order.
    mutating func sortKeys() {
        var ranks: [[UInt32]] = []
        for space in KeySpace.allCases {
            let strings = keys[space.rawValue]
            let sorted = strings.indices.sorted { strings[$0] < strings[$1] }
            var rank = [UInt32](repeating: 0, count: strings.count)
            for (position, id) in sorted.enumerated() { rank[id] = UInt32(position) }
            ranks.append(rank)
            keys[space.rawValue] = sorted.map { strings[$0] }
        }
        func remap(_ column: inout [UInt32], _ space: KeySpace) {
            let rank = ranks[space.rawValue]
            for index in column.indices where column[index] != .max { column[index] = rank[Int(column[index])] }
        }
        remap(&pages, .page)
        remap(&hostnames, .hostname)
        remap(&goals, .goal)
        for (slot, dimension) in Dimension.sessionLevel.enumerated() { remap(&sessionKeys[slot], KeySpace(dimension)) }
        for index in extras.indices {
            remap(&extras[index].propertyKeys, .propertyKey)
            remap(&extras[index].properties, .property)
            if extras[index].currency != .max {
                extras[index].currency = ranks[KeySpace.currency.rawValue][Int(extras[index].currency)]
            }
        }
    }

    /// The packed table.
    func packed() -> VisitTable {
        var table = VisitTable()
        table.keys = keys
        table.hitCount = pages.count
        table.pages = PackedColumn(pages)
        table.hostnames = PackedColumn(hostnames)
        table.goals = PackedColumn(goals.map { $0 &+ 1 })  // UInt32.max (a page view) becomes 0
        table.hours = PackedColumn(hours)
        table.flags = PackedColumn(flags)
        table.times = times
        table.extraHits = extraHits
        table.extras = extraOrder.map { extras[Int($0)] }
        table.visitStarts = PackedColumn(visitStarts)
        table.bounces = PackedColumn(bounces)
        table.durations = PackedColumn(durations)
        table.sessionKeys = sessionKeys.map(PackedColumn.init)
        table.visitorStarts = PackedColumn(visitorStarts)
        return table
    }
}
