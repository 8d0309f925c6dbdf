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

    /// Folds `slices` (the day's records, in journal order) into the rollup of `key`.
    public static func fold(_ key: DayKey, slices: [DaySlice], clock: LocalClock, position: UInt64) -> DayRollup {
        var state = FoldState(slices: slices, clock: clock)
        state.gather()
        state.splitVisits()
        return state.count(into: DayRollup(site: key.site, day: key.day, position: position))
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
    var bounce: Int64
    var duration: Int64
}

/// One cell being counted, with the stamps of the last visitor and visit that touched it.
struct FoldCell {
    var metrics = Metrics()
    var lastVisitor: UInt32 = 0
    var lastVisit: UInt32 = 0

    @inline(__always)
    mutating func touch(
        visitor: UInt32, visit: UInt32, of summary: FoldVisit, pageviews: Int64, events: Int64, revenue: Int64
    ) {
        if lastVisitor != visitor {
            lastVisitor = visitor
            metrics.visitors += 1
        }
        if lastVisit != visit {
            lastVisit = visit
            metrics.visits += 1
            metrics.bounces += summary.bounce
            metrics.duration += summary.duration
        }
        metrics.pageviews += pageviews
        metrics.events += events
        metrics.revenue += revenue
    }
}

/// The working state of one fold.
struct FoldState {
    static let sessionDimensions = Dimension.sessionLevel
    static let hours = 25

    let slices: [DaySlice]
    var clock: LocalClock
    var spaces = [Interner](repeating: Interner(), count: KeySpace.allCases.count)
    /// Per slice and string field: block dictionary index → key id (`.max` until first needed).
    var maps: [[[UInt32]]] = []
    var versionMaps: [[UInt64: UInt32]] = []
    var rows: [FoldRow] = []
    var extras: [FoldExtra] = []
    var visitorIDs: [UInt64: UInt32] = [:]
    /// Row indices grouped by visitor, each visitor's rows in time order.
    var order: [Int32] = []
    /// For each visitor, where its rows start in `order` (one extra end entry).
    var visitorStarts: [Int32] = []
    var visits: [FoldVisit] = []
    /// The session-level keys of each visit, `sessionDimensions.count` per visit.
    var visitKeys: [UInt32] = []

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
        maps.reserveCapacity(slices.count)
        for (sliceIndex, slice) in slices.enumerated() {
            let block = slice.block
            maps.append(
                StringField.allCases.map { [UInt32](repeating: .max, count: block.column($0).dictionary.count) })
            versionMaps.append([:])
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
                let visitor: UInt32
                if let known = visitorIDs[visitorID] {
                    visitor = known
                } else {
                    visitor = UInt32(visitorIDs.count)
                    visitorIDs[visitorID] = visitor
                }
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
                        interactive: !HitFlags(rawValue: block.flags[index]).contains(.nonInteractive)))
            }
        }
    }

    private mutating func eagerMap(_ field: StringField, _ space: KeySpace, slice: Int) -> [UInt32] {
        let map = slices[slice].block.column(field).dictionary.map { spaces[space.rawValue].intern($0) }
        maps[slice][field.rawValue] = map
        return map
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
        let dimensions = Self.sessionDimensions
        visitKeys.reserveCapacity(rows.count / 2 * dimensions.count)
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
        let first = rows[Int(order[range.lowerBound])]
        let last = rows[Int(order[range.upperBound - 1])]
        if entry < 0 {
            entry = order[range.lowerBound]
            exit = order[range.upperBound - 1]
        }
        visits.append(
            FoldVisit(
                start: Int32(range.lowerBound), end: Int32(range.upperBound),
                bounce: pageviews == 1 && interactiveEvents == 0 ? 1 : 0, duration: last.time - first.time))
        let slice = Int(first.slice)
        let record = Int(first.record)
        for dimension in Self.sessionDimensions {
            let key: UInt32
            switch dimension {
            case .entryPage: key = rows[Int(entry)].page
            case .exitPage: key = rows[Int(exit)].page
            case .channel: key = UInt32(slices[slice].block.channels[record])
            case .device: key = UInt32(slices[slice].block.devices[record])
            case .screen: key = UInt32(slices[slice].block.screens[record])
            case .browserVersion: key = versionKey(slice, record, .browser, .browserVersion, .browserVersion)
            case .osVersion: key = versionKey(slice, record, .os, .osVersion, .osVersion)
            default:
                let space = KeySpace(dimension)
                key = mapped(space.field!, space, slice: slice, record: record)
            }
            visitKeys.append(key)
        }
    }

    @inline(__always)
    private mutating func mapped(_ field: StringField, _ space: KeySpace, slice: Int, record: Int) -> UInt32 {
        let column = slices[slice].block.column(field)
        let entry = Int(column.indices[record])
        let known = maps[slice][field.rawValue][entry]
        if known != .max { return known }
        let id = spaces[space.rawValue].intern(column.dictionary[entry])
        maps[slice][field.rawValue][entry] = id
        return id
    }

    private mutating func versionKey(
        _ slice: Int, _ record: Int, _ familyField: StringField, _ versionField: StringField, _ space: KeySpace
    ) -> UInt32 {
        let block = slices[slice].block
        let family = block.column(familyField).indices[record]
        let version = block.column(versionField).indices[record]
        let pair = UInt64(family) << 32 | UInt64(version) | (familyField == .os ? 1 << 63 : 0)
        if let known = versionMaps[slice][pair] { return known }
        let text = Dimension.versioned(
            block.column(familyField).dictionary[Int(family)], block.column(versionField).dictionary[Int(version)])
        let id = spaces[space.rawValue].intern(text)
        versionMaps[slice][pair] = id
        return id
    }

    // MARK: - Counting

    /// Adds every visit and hit to its cells and returns the finished rollup.
    func count(into rollup: DayRollup) -> DayRollup {
        let dimensions = Dimension.allCases
        var cells: [[FoldCell]] = dimensions.map {
            [FoldCell](repeating: FoldCell(), count: spaces[KeySpace($0).rawValue].count * Self.hours)
        }
        var totals = [FoldCell](repeating: FoldCell(), count: Self.hours)
        let sessionDimensions = Self.sessionDimensions.map { Int($0.rawValue) }
        let keyCount = sessionDimensions.count
        let wholeDay = DayRollup.wholeDay
        var visitor = 0
        for (visitIndex, visit) in visits.enumerated() {
            while Int(visitorStarts[visitor + 1]) <= Int(visit.start) { visitor += 1 }
            let visitorStamp = UInt32(visitor + 1)
            let visitStamp = UInt32(visitIndex + 1)
            let keys = visitKeys[(visitIndex * keyCount)..<((visitIndex + 1) * keyCount)]
            var runHour = -1
            var run = (pageviews: Int64(0), events: Int64(0), revenue: Int64(0))
            var whole = run
            func flush(_ hour: Int, _ counts: (pageviews: Int64, events: Int64, revenue: Int64)) {
                totals[hour].touch(
                    visitor: visitorStamp, visit: visitStamp, of: visit, pageviews: counts.pageviews,
                    events: counts.events, revenue: counts.revenue)
                for (slot, dimension) in sessionDimensions.enumerated() {
                    let cell = Int(keys[keys.startIndex + slot]) * Self.hours + hour
                    cells[dimension][cell].touch(
                        visitor: visitorStamp, visit: visitStamp, of: visit, pageviews: counts.pageviews,
                        events: counts.events, revenue: counts.revenue)
                }
            }
            for position in Int(visit.start)..<Int(visit.end) {
                let row = rows[Int(order[position])]
                let hour = Int(row.hour)
                if hour != runHour {
                    if runHour >= 0 { flush(runHour, run) }
                    runHour = hour
                    run = (0, 0, 0)
                }
                let pageviews: Int64 = row.isPageview ? 1 : 0
                let events: Int64 = 1 - pageviews
                let revenue = row.extra >= 0 ? extras[Int(row.extra)].revenue : 0
                run.pageviews += pageviews
                run.events += events
                run.revenue += revenue
                whole.pageviews += pageviews
                whole.events += events
                whole.revenue += revenue
                func hit(_ dimension: Dimension, _ key: UInt32) {
                    let base = Int(key) * Self.hours
                    cells[Int(dimension.rawValue)][base + hour].touch(
                        visitor: visitorStamp, visit: visitStamp, of: visit, pageviews: pageviews, events: events,
                        revenue: revenue)
                    cells[Int(dimension.rawValue)][base + wholeDay].touch(
                        visitor: visitorStamp, visit: visitStamp, of: visit, pageviews: pageviews, events: events,
                        revenue: revenue)
                }
                hit(.page, row.page)
                hit(.hostname, row.hostname)
                if !row.isPageview { hit(.goal, row.goal) }
                if row.extra >= 0 {
                    let extra = extras[Int(row.extra)]
                    for key in extra.propertyKeys { hit(.propertyKey, key) }
                    for key in extra.properties { hit(.property, key) }
                    if extra.currency != .max { hit(.currency, extra.currency) }
                }
            }
            flush(runHour, run)
            flush(wholeDay, whole)
        }
        var result = rollup
        result.records = Int64(rows.count)
        result.totals = totals.map(\.metrics)
        for dimension in dimensions {
            result[dimension] = table(cells[Int(dimension.rawValue)], space: spaces[KeySpace(dimension).rawValue])
        }
        return result
    }

    private func table(_ cells: [FoldCell], space: Interner) -> DimensionTable {
        var used: [UInt32] = []
        for key in 0..<space.count where !cells[key * Self.hours + DayRollup.wholeDay].metrics.isEmpty {
            used.append(UInt32(key))
        }
        let strings = space.strings
        used.sort { strings[Int($0)] < strings[Int($1)] }
        var table = DimensionTable(keys: used.map { strings[Int($0)] })
        for (rank, key) in used.enumerated() {
            for hour in 0..<Self.hours {
                let metrics = cells[Int(key) * Self.hours + hour].metrics
                if !metrics.isEmpty {
                    table.rows.append(DimensionTable.Row(key: UInt32(rank), hour: UInt8(hour), metrics: metrics))
                }
            }
        }
        return table
    }
}
