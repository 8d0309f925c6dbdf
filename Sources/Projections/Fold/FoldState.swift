import Journal

/// Turns one site-day's journal records into a ``VisitTable``: gather one compact row per record
/// (strings become small ids per key space, interned once per block dictionary) and the session
/// keys of every row that may start a visit, while the blocks are at hand; then, for a table,
/// group the rows by visitor with a stable counting sort, put each visitor's rows in time order,
/// cut them into visits, and give each visit the keys of its first hit.
///
/// Blocks are needed only while they are added, so the state of a day holds about 40 bytes a hit
/// plus the keys of its visits, and more blocks can be added later: the live worker keeps the open
/// day this way and adds only what became durable since (``add(_:)`` after ``makeTable()``).
///
/// Keep one copy of a state: copies share the visitor table (a class), so adding to one copy
/// would change the other's numbering.
struct FoldState {
    var clock: LocalClock
    var spaces = [Interner](repeating: Interner(), count: KeySpace.allCases.count)
    /// Every row added, in journal order.
    var gathered: [FoldRow] = []
    var extras: [FoldExtra] = []
    var visitorIDs = VisitorTable()
    /// The session keys (one per ``Dimension/sessionLevel`` slot; entry and exit are filled from
    /// pages later) of each row that may start a visit: its visitor's first row, or a row more
    /// than a session timeout after, or before, that visitor's latest earlier row. Every row that
    /// starts a visit once rows are in time order is among them.
    var startKeys: [UInt32] = []

    // Built by `makeTable()`, dropped after it.
    /// The rows grouped by visitor, each visitor's in time order.
    var rows: [FoldRow] = []
    /// For each visitor, where its rows start once `rows` are grouped by visitor (one extra end entry).
    var visitorStarts: [Int32] = []
    /// The table's columns before packing, with fold-order key ids.
    var columns = Unpacked()
    /// Each visit's first row, entry row and exit row (positions in the grouped `rows`).
    var visitEnds: [(first: Int32, entry: Int32, exit: Int32)] = []

    init(clock: LocalClock) {
        self.clock = clock
        // Enumerated dimensions get ids equal to their raw values, in order.
        for channel in Channel.allCases { _ = spaces[KeySpace.channel.rawValue].intern(channel.description) }
        for device in DeviceClass.allCases { _ = spaces[KeySpace.device.rawValue].intern(device.description) }
        for screen in ScreenClass.allCases { _ = spaces[KeySpace.screen.rawValue].intern(screen.description) }
    }

    /// Adds the day's next records (slices in journal order, after all added before).
    mutating func add(_ slices: [DaySlice]) {
        let first = gathered.count
        let ids = gather(slices)
        let starting = numberVisitors(ids, from: first)
        captureStarts(slices, rows: starting, from: first)
    }

    /// The table of every row added so far, keys sorted. With `keeping`, the state stays as it
    /// was, ready for more rows; without, what only more rows would need is let go as soon as it
    /// has been used, so that a one-off fold holds one copy of its rows at a time.
    mutating func makeTable(keeping: Bool = true) -> VisitTable {
        defer {
            rows = []
            visitorStarts = []
            columns = Unpacked()
            visitEnds = []
        }
        splitVisits()
        if !keeping { gathered = [] }
        fillHits()
        assignVisitKeys()
        // When every row that might have started a visit did, every session string is in use.
        let someUnused = startKeys.count / Dimension.sessionLevel.count > visitEnds.count
        if !keeping { startKeys = [] }
        columns.keys = spaces.map(\.strings)
        columns.sortKeys(compacting: someUnused)
        return columns.packed()
    }

    // MARK: - Gathering rows

    /// Appends a row per record to ``gathered`` and returns the records' visitor ids.
    private mutating func gather(_ slices: [DaySlice]) -> [UInt64] {
        let total = slices.reduce(0) { $0 + $1.records.count }
        gathered.reserveCapacity(gathered.count + total)
        var visitorIDList: [UInt64] = []
        visitorIDList.reserveCapacity(total)
        for slice in slices {
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
                gathered.append(
                    FoldRow(
                        time: time, visitor: 0, order: UInt32(gathered.count), start: .max,
                        page: pages[pathEntry], hostname: hosts[hostEntry], goal: names[nameEntry], extra: extra,
                        hour: UInt8(hour), flags: flags[index]))
            }
        }
        return visitorIDList
    }

    /// Numbers the visitors of the rows from `first` on, in a loop of its own: its table lookups
    /// are independent of each other, so the processor overlaps their cache misses. The same
    /// lookup tells which rows may start a visit (see ``startKeys``); they are marked and returned.
    private mutating func numberVisitors(_ ids: [UInt64], from first: Int) -> [Int] {
        if first == 0 { visitorIDs = VisitorTable(capacity: ids.count / 8) }
        let visitors = visitorIDs
        var starting: [Int] = []
        var next = UInt32(startKeys.count / Dimension.sessionLevel.count)
        gathered.withUnsafeMutableBufferPointer { rows in
            ids.withUnsafeBufferPointer { ids in
                for index in 0..<ids.count {
                    let row = first + index
                    let (number, mayStart) = visitors.visit(ids[index], at: rows[row].time)
                    rows[row].visitor = number
                    if mayStart {
                        rows[row].start = next
                        next += 1
                        starting.append(row)
                    }
                }
            }
        }
        return starting
    }

    /// Records the session keys of the `starting` rows (ascending, from `first` on), one block at
    /// a time and one key slot at a time, so that each loop reads a block column front to back;
    /// the block dictionary entries → key ids are filled as rows need them.
    private mutating func captureStarts(_ slices: [DaySlice], rows starting: [Int], from first: Int) {
        let slotCount = Dimension.sessionLevel.count
        guard !starting.isEmpty else { return }
        let base = startKeys.count
        startKeys.append(contentsOf: repeatElement(0, count: starting.count * slotCount))
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
            var records: [Int] = []
            var outputs: [Int] = []  // each starting row's first key position in `startKeys`
            while cursor < starting.count && starting[cursor] < rowEnd {
                records.append(Int(slice.records[starting[cursor] - rowStart]))
                outputs.append(base + cursor * slotCount)
                cursor += 1
            }
            rowStart = rowEnd
            guard !records.isEmpty else { continue }
            let block = slice.block
            startKeys.withUnsafeMutableBufferPointer { out in
                for (slot, column) in enumSlots {
                    block[keyPath: column].withUnsafeBufferPointer { values in
                        for (position, record) in zip(outputs, records) {
                            out[position + slot] = UInt32(values[record])
                        }
                    }
                }
            }
            var ids = [UInt32](repeating: 0, count: records.count)
            func store(_ slot: Int) {
                startKeys.withUnsafeMutableBufferPointer { out in
                    for (position, id) in zip(outputs, ids) { out[position + slot] = id }
                }
            }
            for (slot, field, space) in stringSlots {
                let strings = block.strings[field.rawValue]
                var translation = [UInt32](repeating: .max, count: strings.dictionary.count)
                translation.withUnsafeMutableBufferPointer { translation in
                    ids.withUnsafeMutableBufferPointer { ids in
                        strings.indices.withUnsafeBufferPointer { indices in
                            for (index, record) in records.enumerated() {
                                let entry = Int(indices[record])
                                var id = translation[entry]
                                if id == .max {
                                    id = spaces[space].intern(strings.dictionary[entry])
                                    translation[entry] = id
                                }
                                ids[index] = id
                            }
                        }
                    }
                }
                store(slot)
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
                    ids[index] = id
                }
                store(slot)
            }
        }
    }

    /// A block dictionary entry not yet interned.
    private static let unset = UInt32.max - 1

    // MARK: - Visits

    /// Groups rows by visitor (stable, so journal order is kept) by moving them once into visitor
    /// order — every later pass then reads them front to back instead of jumping through an index —
    /// puts each visitor's rows in time order, and cuts them into visits.
    mutating func splitVisits() {
        let visitorCount = visitorIDs.count
        let count = gathered.count
        visitorStarts = [Int32](repeating: 0, count: visitorCount + 1)
        for row in gathered { visitorStarts[Int(row.visitor) + 1] += 1 }
        for index in 0..<visitorCount { visitorStarts[index + 1] += visitorStarts[index] }
        var fill = visitorStarts
        let grouped = gathered.withUnsafeBufferPointer { rows in
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
        // Rare (imported or clock-skewed hits): order by time, journal order breaking ties.
        rows[range].sort { ($0.time, $0.order) < ($1.time, $1.order) }
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

    /// Gives every visit its session-level keys: those recorded for its first row (which
    /// ``captureStarts(_:from:)`` marked as a possible start), and its entry and exit pages.
    /// A chunk of visits at a time: each visit's recorded keys (one or two cache lines) are read
    /// once into a small buffer, which is then copied out slot by slot.
    mutating func assignVisitKeys() {
        let visits = visitEnds.count
        let slotCount = Dimension.sessionLevel.count
        let entrySlot = FoldSlots.entry, exitSlot = FoldSlots.exit
        let chunk = 1024
        var buffer = [UInt32](repeating: 0, count: chunk * slotCount)
        var keys = Dimension.sessionLevel.map { _ in [UInt32](repeating: 0, count: visits) }
        for chunkStart in stride(from: 0, to: visits, by: chunk) {
            let chunkEnd = min(chunkStart + chunk, visits)
            buffer.withUnsafeMutableBufferPointer { buffer in
                rows.withUnsafeBufferPointer { rows in
                    startKeys.withUnsafeBufferPointer { startKeys in
                        for visit in chunkStart..<chunkEnd {
                            let ends = visitEnds[visit]
                            let start = Int(rows[Int(ends.first)].start)
                            precondition(
                                start != Int(UInt32.max), "a visit starts at a row not marked as a possible start")
                            let row = (visit - chunkStart) * slotCount
                            for slot in 0..<slotCount { buffer[row + slot] = startKeys[start * slotCount + slot] }
                            buffer[row + entrySlot] = rows[Int(ends.entry)].page
                            buffer[row + exitSlot] = rows[Int(ends.exit)].page
                        }
                    }
                }
            }
            for slot in 0..<slotCount {
                keys[slot].withUnsafeMutableBufferPointer { out in
                    buffer.withUnsafeBufferPointer { buffer in
                        for visit in chunkStart..<chunkEnd {
                            out[visit] = buffer[(visit - chunkStart) * slotCount + slot]
                        }
                    }
                }
            }
        }
        columns.sessionKeys = keys
    }
}
