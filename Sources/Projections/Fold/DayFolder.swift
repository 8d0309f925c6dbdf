import Journal

/// Folds the records of one site-day into a ``DayRollup``.
///
/// The fold first groups the day's records by visitor (a counting sort, so each visitor's hits
/// are contiguous and in time order), splits each visitor's hits into visits at every silence of
/// more than ``sessionTimeout``, and then adds every hit to its cells. Because one visitor's hits
/// are handled together, "distinct visitors in this cell" needs no set: a cell remembers the last
/// visitor and the last visit that touched it.
public enum DayFolder {
    /// A visit ends after this much silence (30 minutes), in milliseconds.
    public static let sessionTimeout: Int64 = 30 * 60_000

    /// Folds `slices` (the day's records, in journal order) into the rollup of `key`; with a
    /// `filter`, only matching hits are counted (visits are still cut from all hits); with `only`,
    /// only those dimensions' tables are counted (the totals always are), for queries that need
    /// one breakdown.
    public static func fold(
        _ key: DayKey, slices: [DaySlice], clock: LocalClock, position: UInt64, filter: HitFilter? = nil,
        only: Set<Dimension>? = nil
    ) -> DayRollup {
        var state = FoldState(slices: slices, clock: clock)
        state.gather()
        state.splitVisits()
        state.assignVisitKeys()
        let compiled = filter.map { CompiledFilter($0, spaces: state.spaces) }
        return state.count(
            into: DayRollup(site: key.site, day: key.day, position: position), filter: compiled, only: only)
    }
}

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
    var interactive: Bool
    var imported: Bool

    var isPageview: Bool { goal == .max }
}

/// Properties and revenue of the few records that carry them.
struct FoldExtra {
    var propertyKeys: [UInt32] = []
    var properties: [UInt32] = []
    var revenue: Int64 = 0
    var currency: UInt32 = .max
}

/// A visit: a range of the visitor-ordered rows and what the whole visit adds to its cells.
struct FoldVisit {
    var start: Int32
    var end: Int32
    var bounce: UInt32
    var duration: Int64
}

/// One cell being counted, with the stamps of the last visitor and visit that touched it.
///
/// 48 bytes (counts of one day fit in 32 bits), so that more cells share the processor's caches.
struct FoldCell {
    var lastVisitor: UInt32 = 0
    var lastVisit: UInt32 = 0
    var visitors: UInt32 = 0
    var visits: UInt32 = 0
    var pageviews: UInt32 = 0
    var events: UInt32 = 0
    var bounces: UInt32 = 0
    var duration: Int64 = 0
    var revenue: Int64 = 0

    @inline(__always)
    mutating func touch(
        visitor: UInt32, visit: UInt32, of summary: FoldVisit, pageviews: UInt32, events: UInt32, revenue: Int64
    ) {
        if lastVisitor != visitor {
            lastVisitor = visitor
            visitors &+= 1
        }
        if lastVisit != visit {
            lastVisit = visit
            visits &+= 1
            bounces &+= summary.bounce
            duration &+= summary.duration
        }
        self.pageviews &+= pageviews
        self.events &+= events
        self.revenue &+= revenue
    }

    var metrics: Metrics {
        Metrics(
            visitors: Int64(visitors), visits: Int64(visits), pageviews: Int64(pageviews), events: Int64(events),
            bounces: Int64(bounces), duration: duration, revenue: revenue)
    }
}

/// The working state of one fold.
struct FoldState {
    static let sessionDimensions = Dimension.sessionLevel
    /// For each dimension (by raw value), its slot among the session keys of a visit, or -1.
    static let sessionSlot: [Int] = Dimension.allCases.map { sessionDimensions.firstIndex(of: $0) ?? -1 }
    static let hours = 25

    let slices: [DaySlice]
    var clock: LocalClock
    var spaces = [Interner](repeating: Interner(), count: KeySpace.allCases.count)
    var rows: [FoldRow] = []
    var extras: [FoldExtra] = []
    var visitorIDs = VisitorTable()
    /// Row indices grouped by visitor, each visitor's rows in time order.
    var order: [Int32] = []
    /// For each visitor, where its rows start in `order` (one extra end entry).
    var visitorStarts: [Int32] = []
    var visits: [FoldVisit] = []
    /// The session-level keys of each visit, `sessionDimensions.count` per visit.
    var visitKeys: [UInt32] = []
    /// Each visit's first row, entry row and exit row.
    var visitEnds: [(first: Int32, entry: Int32, exit: Int32)] = []

    init(slices: [DaySlice], clock: LocalClock) {
        self.slices = slices
        self.clock = clock
        // Enumerated dimensions get ids equal to their raw values, in order.
        for channel in Channel.allCases { _ = spaces[KeySpace.channel.rawValue].intern(channel.description) }
        for device in DeviceClass.allCases { _ = spaces[KeySpace.device.rawValue].intern(device.description) }
        for screen in ScreenClass.allCases { _ = spaces[KeySpace.screen.rawValue].intern(screen.description) }
    }

    // MARK: - Gathering rows

    mutating func gather() {
        let total = slices.reduce(0) { $0 + $1.records.count }
        rows.reserveCapacity(total)
        for (sliceIndex, slice) in slices.enumerated() {
            let block = slice.block
            let pages = eagerMap(.pathname, .page, slice: sliceIndex)
            let hosts = eagerMap(.hostname, .hostname, slice: sliceIndex)
            let names = block.column(.name).dictionary.map {
                $0 == Hit.pageview ? UInt32.max : spaces[KeySpace.goal.rawValue].intern($0)
            }
            let pathIndices = block.column(.pathname).indices
            let hostIndices = block.column(.hostname).indices
            let nameIndices = block.column(.name).indices
            var propertyCursor = 0
            var revenueCursor = 0
            for record in slice.records {
                let index = Int(record)
                let time = block.timestamps[index]
                let hour = clock.dayAndHour(of: time).hour
                let visitorID = block.visitorIDs[index]
                let visitor = visitorIDs.index(of: visitorID)
                var extra: Int32 = -1
                let properties = block.props
                while propertyCursor < properties.records.count && properties.records[propertyCursor] < record {
                    propertyCursor += 1
                }
                let revenues = block.revenue
                while revenueCursor < revenues.records.count && revenues.records[revenueCursor] < record {
                    revenueCursor += 1
                }
                let hasProperties =
                    propertyCursor < properties.records.count && properties.records[propertyCursor] == record
                let hasRevenue = revenueCursor < revenues.records.count && revenues.records[revenueCursor] == record
                if hasProperties || hasRevenue {
                    var item = FoldExtra()
                    if hasProperties {
                        let range = Int(properties.starts[propertyCursor])..<Int(properties.starts[propertyCursor + 1])
                        for pair in range {
                            let key = properties.keyDictionary[Int(properties.keys[pair])]
                            let value = properties.valueDictionary[Int(properties.values[pair])]
                            item.propertyKeys.append(spaces[KeySpace.propertyKey.rawValue].intern(key))
                            item.properties.append(
                                spaces[KeySpace.property.rawValue].intern(Dimension.property(key, value)))
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
                rows.append(
                    FoldRow(
                        time: time, visitor: visitor, slice: UInt32(sliceIndex), record: UInt32(record),
                        page: pages[Int(pathIndices[index])], hostname: hosts[Int(hostIndices[index])],
                        goal: names[Int(nameIndices[index])], extra: extra, hour: UInt8(hour),
                        interactive: !HitFlags(rawValue: block.flags[index]).contains(.nonInteractive),
                        imported: HitFlags(rawValue: block.flags[index]).contains(.imported)))
            }
        }
    }

    private mutating func eagerMap(_ field: StringField, _ space: KeySpace, slice: Int) -> [UInt32] {
        slices[slice].block.column(field).dictionary.map { spaces[space.rawValue].intern($0) }
    }

    // MARK: - Visits

    /// Groups rows by visitor (stable, so journal order is kept), puts each visitor's rows in time
    /// order, and cuts them into visits.
    mutating func splitVisits() {
        let visitorCount = visitorIDs.count
        visitorStarts = [Int32](repeating: 0, count: visitorCount + 1)
        for row in rows { visitorStarts[Int(row.visitor) + 1] += 1 }
        for index in 0..<visitorCount { visitorStarts[index + 1] += visitorStarts[index] }
        order = [Int32](repeating: 0, count: rows.count)
        var fill = visitorStarts
        for (index, row) in rows.enumerated() {
            order[Int(fill[Int(row.visitor)])] = Int32(index)
            fill[Int(row.visitor)] += 1
        }
        visits.reserveCapacity(rows.count / 2)
        visitEnds.reserveCapacity(rows.count / 2)
        for visitor in 0..<visitorCount {
            let start = Int(visitorStarts[visitor])
            let end = Int(visitorStarts[visitor + 1])
            sortByTime(start..<end)
            var visitStart = start
            for position in start..<end {
                let isLast = position == end - 1
                if isLast
                    || rows[Int(order[position + 1])].time - rows[Int(order[position])].time > DayFolder.sessionTimeout
                {
                    addVisit(visitStart..<(position + 1))
                    visitStart = position + 1
                }
            }
        }
    }

    private mutating func sortByTime(_ range: Range<Int>) {
        var sorted = true
        for position in range.dropFirst() where rows[Int(order[position])].time < rows[Int(order[position - 1])].time {
            sorted = false
            break
        }
        if sorted { return }
        // Rare (imported or clock-skewed hits): order by time, journal order breaking ties.
        let rows = self.rows
        order[range].sort { (rows[Int($0)].time, $0) < (rows[Int($1)].time, $1) }
    }

    private mutating func addVisit(_ range: Range<Int>) {
        var pageviews = 0
        var interactiveEvents = 0
        var entry: Int32 = -1
        var exit: Int32 = -1
        for position in range {
            let row = rows[Int(order[position])]
            if row.isPageview {
                pageviews += 1
                if entry < 0 { entry = order[position] }
                exit = order[position]
            } else if row.interactive {
                interactiveEvents += 1
            }
        }
        let first = order[range.lowerBound]
        if entry < 0 {
            entry = first
            exit = order[range.upperBound - 1]
        }
        visits.append(
            FoldVisit(
                start: Int32(range.lowerBound), end: Int32(range.upperBound),
                bounce: pageviews == 1 && interactiveEvents == 0 ? 1 : 0,
                duration: rows[Int(order[range.upperBound - 1])].time - rows[Int(first)].time))
        visitEnds.append((first: first, entry: entry, exit: exit))
    }

    /// Gives every visit its session-level keys (from its first hit, entry and exit page), one
    /// block at a time so that each block's columns are looked up once, not once per visit.
    mutating func assignVisitKeys() {
        let dimensions = Self.sessionDimensions
        let width = dimensions.count
        visitKeys = [UInt32](repeating: 0, count: visits.count * width)
        var bySlice = [[Int32]](repeating: [], count: slices.count)
        for (index, ends) in visitEnds.enumerated() { bySlice[Int(rows[Int(ends.first)].slice)].append(Int32(index)) }
        let stringSlots = dimensions.enumerated().compactMap { slot, dimension -> (Int, StringField, Int)? in
            guard let field = KeySpace(dimension).field, dimension != .entryPage, dimension != .exitPage else {
                return nil
            }
            return (slot, field, KeySpace(dimension).rawValue)
        }
        func slot(_ dimension: Dimension) -> Int { dimensions.firstIndex(of: dimension)! }
        let entrySlot = slot(.entryPage), exitSlot = slot(.exitPage), channelSlot = slot(.channel)
        let deviceSlot = slot(.device), screenSlot = slot(.screen)
        let browserVersionSlot = slot(.browserVersion), osVersionSlot = slot(.osVersion)
        let versionSlots = [
            (browserVersionSlot, StringField.browser, StringField.browserVersion, KeySpace.browserVersion),
            (osVersionSlot, .os, .osVersion, .osVersion),
        ]
        for (sliceIndex, visitIndices) in bySlice.enumerated() where !visitIndices.isEmpty {
            let block = slices[sliceIndex].block
            // This slice's block dictionary entries → key ids, filled as visits need them: one flat
            // table for the string slots and one per family/version pair.
            var offsets: [Int] = []
            var total = 0
            for (_, field, _) in stringSlots {
                offsets.append(total)
                total += block.strings[field.rawValue].dictionary.count
            }
            var translation = [UInt32](repeating: .max, count: total)
            let indexColumns = stringSlots.map { block.strings[$0.1.rawValue].indices }
            let dictionaries = stringSlots.map { block.strings[$0.1.rawValue].dictionary }
            let channels = block.channels, devices = block.devices, screens = block.screens
            var versionTables = versionSlots.map { slot in
                [UInt32](
                    repeating: .max,
                    count: block.strings[slot.1.rawValue].dictionary.count
                        * block.strings[slot.2.rawValue].dictionary.count)
            }
            let versionColumns = versionSlots.map {
                (family: block.strings[$0.1.rawValue], version: block.strings[$0.2.rawValue])
            }
            for visitIndex in visitIndices {
                let ends = visitEnds[Int(visitIndex)]
                let record = Int(rows[Int(ends.first)].record)
                let base = Int(visitIndex) * width
                visitKeys[base + entrySlot] = rows[Int(ends.entry)].page
                visitKeys[base + exitSlot] = rows[Int(ends.exit)].page
                visitKeys[base + channelSlot] = UInt32(channels[record])
                visitKeys[base + deviceSlot] = UInt32(devices[record])
                visitKeys[base + screenSlot] = UInt32(screens[record])
                for n in 0..<stringSlots.count {
                    let entry = Int(indexColumns[n][record])
                    var id = translation[offsets[n] + entry]
                    if id == .max {
                        id = spaces[stringSlots[n].2].intern(dictionaries[n][entry])
                        translation[offsets[n] + entry] = id
                    }
                    visitKeys[base + stringSlots[n].0] = id
                }
                for n in 0..<versionSlots.count {
                    let columns = versionColumns[n]
                    let family = Int(columns.family.indices[record])
                    let version = Int(columns.version.indices[record])
                    let cell = family * columns.version.dictionary.count + version
                    var id = versionTables[n][cell]
                    if id == .max {
                        let text = Dimension.versioned(
                            columns.family.dictionary[family], columns.version.dictionary[version])
                        id = spaces[versionSlots[n].3.rawValue].intern(text)
                        versionTables[n][cell] = id
                    }
                    visitKeys[base + versionSlots[n].0] = id
                }
            }
        }
    }

    // MARK: - Counting

    /// Adds every visit and hit to its cells and returns the finished rollup.
    func count(into rollup: DayRollup, filter: CompiledFilter? = nil, only: Set<Dimension>? = nil) -> DayRollup {
        let dimensions = Dimension.allCases
        func counted(_ dimension: Dimension) -> Bool { only?.contains(dimension) ?? true }
        // One flat block of cells: each counted dimension's keys × 25 hours, then the 25 total cells.
        var offsets: [Int] = []
        var size = 0
        for dimension in dimensions {
            offsets.append(size)
            if counted(dimension) { size += spaces[KeySpace(dimension).rawValue].count * Self.hours }
        }
        let totalsOffset = size
        size += Self.hours
        let cells = UnsafeMutableBufferPointer<FoldCell>.allocate(capacity: size)
        cells.initialize(repeating: FoldCell())
        defer { cells.deallocate() }
        // The session dimensions counted, as (slot among a visit's keys, cell offset).
        let sessionSlots = Self.sessionDimensions.enumerated().filter { counted($0.element) }.map {
            (slot: $0.offset, offset: offsets[Int($0.element.rawValue)])
        }
        let countPage = counted(.page), countHostname = counted(.hostname), countGoal = counted(.goal)
        let countPropertyKey = counted(.propertyKey), countProperty = counted(.property)
        let countCurrency = counted(.currency)
        let pageOffset = offsets[Int(Dimension.page.rawValue)]
        let hostnameOffset = offsets[Int(Dimension.hostname.rawValue)]
        let goalOffset = offsets[Int(Dimension.goal.rawValue)]
        let propertyKeyOffset = offsets[Int(Dimension.propertyKey.rawValue)]
        let propertyOffset = offsets[Int(Dimension.property.rawValue)]
        let currencyOffset = offsets[Int(Dimension.currency.rawValue)]
        let keyCount = Self.sessionDimensions.count
        let wholeDay = DayRollup.wholeDay
        let hours = Self.hours
        rows.withUnsafeBufferPointer { rows in
            order.withUnsafeBufferPointer { order in
                visitKeys.withUnsafeBufferPointer { visitKeys in
                    var visitor = 0
                    for (visitIndex, visit) in visits.enumerated() {
                        while Int(visitorStarts[visitor + 1]) <= Int(visit.start) { visitor += 1 }
                        let visitorStamp = UInt32(visitor + 1)
                        let visitStamp = UInt32(visitIndex + 1)
                        let keyBase = visitIndex * keyCount
                        @inline(__always)
                        func touch(_ cell: Int, _ pageviews: UInt32, _ events: UInt32, _ revenue: Int64) {
                            cells[cell].touch(
                                visitor: visitorStamp, visit: visitStamp, of: visit, pageviews: pageviews,
                                events: events, revenue: revenue)
                        }
                        func flush(_ hour: Int, _ counts: (pageviews: UInt32, events: UInt32, revenue: Int64)) {
                            touch(totalsOffset + hour, counts.pageviews, counts.events, counts.revenue)
                            for (slot, offset) in sessionSlots {
                                let cell = offset + Int(visitKeys[keyBase + slot]) * hours + hour
                                touch(cell, counts.pageviews, counts.events, counts.revenue)
                            }
                        }
                        var runHour = -1
                        var run = (pageviews: UInt32(0), events: UInt32(0), revenue: Int64(0))
                        var whole = run
                        var runMatched = false
                        var anyMatched = false
                        for position in Int(visit.start)..<Int(visit.end) {
                            let row = rows[Int(order[position])]
                            if let filter {
                                let extra = row.extra >= 0 ? extras[Int(row.extra)] : nil
                                guard filter.matches(sessionKeys: visitKeys, keyBase: keyBase, row: row, extra: extra)
                                else { continue }
                            }
                            let hour = Int(row.hour)
                            if hour != runHour {
                                if runMatched { flush(runHour, run) }
                                runHour = hour
                                run = (0, 0, 0)
                            }
                            runMatched = true
                            anyMatched = true
                            let pageviews: UInt32 = row.isPageview ? 1 : 0
                            let events: UInt32 = 1 - pageviews
                            let revenue = row.extra >= 0 ? extras[Int(row.extra)].revenue : 0
                            run.pageviews &+= pageviews
                            run.events &+= events
                            run.revenue &+= revenue
                            whole.pageviews &+= pageviews
                            whole.events &+= events
                            whole.revenue &+= revenue
                            @inline(__always)
                            func hit(_ offset: Int, _ key: UInt32) {
                                let base = offset + Int(key) * hours
                                touch(base + hour, pageviews, events, revenue)
                                touch(base + wholeDay, pageviews, events, revenue)
                            }
                            if countPage { hit(pageOffset, row.page) }
                            if countHostname { hit(hostnameOffset, row.hostname) }
                            if countGoal && !row.isPageview { hit(goalOffset, row.goal) }
                            if row.extra >= 0 {
                                let extra = extras[Int(row.extra)]
                                if countPropertyKey { for key in extra.propertyKeys { hit(propertyKeyOffset, key) } }
                                if countProperty { for key in extra.properties { hit(propertyOffset, key) } }
                                if countCurrency && extra.currency != .max { hit(currencyOffset, extra.currency) }
                            }
                        }
                        if runMatched { flush(runHour, run) }
                        if anyMatched { flush(wholeDay, whole) }
                    }
                }
            }
        }
        var result = rollup
        result.records = Int64(rows.count)
        result.totals = (0..<hours).map { cells[totalsOffset + $0].metrics }
        for dimension in dimensions where counted(dimension) {
            let offset = offsets[Int(dimension.rawValue)]
            let count = spaces[KeySpace(dimension).rawValue].count * hours
            result[dimension] = table(
                UnsafeBufferPointer(rebasing: cells[offset..<(offset + count)]),
                space: spaces[KeySpace(dimension).rawValue])
        }
        return result
    }

    private func table(_ cells: UnsafeBufferPointer<FoldCell>, space: Interner) -> DimensionTable {
        var used: [UInt32] = []
        for key in 0..<space.count where cells[key * Self.hours + DayRollup.wholeDay].visitors > 0 {
            used.append(UInt32(key))
        }
        let strings = space.strings
        used.sort { strings[Int($0)] < strings[Int($1)] }
        var table = DimensionTable(keys: used.map { strings[Int($0)] })
        for (rank, key) in used.enumerated() {
            for hour in 0..<Self.hours {
                let cell = cells[Int(key) * Self.hours + hour]
                if cell.visitors > 0 {
                    table.rows.append(DimensionTable.Row(key: UInt32(rank), hour: UInt8(hour), metrics: cell.metrics))
                }
            }
        }
        return table
    }
}
