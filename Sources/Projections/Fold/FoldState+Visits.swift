import Journal

/// Visits: rows grouped by visitor and put in time order, cut into visits, and each visit given
/// the keys of its first hit.
extension FoldState {
    /// Groups rows by visitor (stable, so journal order is kept) by moving them once into visitor
    /// order — every later pass then reads them front to back instead of jumping through an index —
    /// puts each visitor's rows in time order, and cuts them into visits.
    mutating func splitVisits() {
        let visitorCount = visitorIDs.count
        let count = gathered.count
        var starts = [Int32](repeating: 0, count: visitorCount + 1)
        starts.withUnsafeMutableBufferPointer { starts in
            visitorNumbers.withUnsafeBufferPointer { numbers in
                // Every number is below the visitor table's count.
                for number in numbers { starts[Int(number) &+ 1] &+= 1 }
            }
            for index in 0..<visitorCount { starts[index + 1] &+= starts[index] }
        }
        visitorStarts = starts
        var fill = starts
        let grouped = gathered.withUnsafeBufferPointer { rows in
            visitorNumbers.withUnsafeBufferPointer { numbers in
                [FoldRow](unsafeUninitializedCapacity: count) { buffer, initialized in
                    fill.withUnsafeMutableBufferPointer { fill in
                        for index in 0..<count {
                            let visitor = Int(numbers[index])
                            (buffer.baseAddress! + Int(fill[visitor])).initialize(to: rows[index])
                            fill[visitor] &+= 1
                        }
                    }
                    initialized = count
                }
            }
        }
        rows = grouped
        cutVisits()
    }

    /// Puts each visitor's grouped rows in time order and cuts them into visits at every silence
    /// of more than a session timeout: one pass counts the visits (and finds the rare visitor
    /// whose rows are out of time order), a second fills their columns, so that every column is
    /// allocated once at its size and written through a plain pointer.
    mutating func cutVisits() {
        let visitorCount = visitorIDs.count
        let timeout = DayFolder.sessionTimeout
        var (visits, disordered) = countVisits()
        if !disordered.isEmpty {
            for visitor in disordered { sortByTime(Int(visitorStarts[visitor])..<Int(visitorStarts[visitor + 1])) }
            visits = countVisits().visits
        }
        // One pass fills a record a visit (and each visitor's first visit); the columns are split
        // from the records after, each front to back.
        var visitorVisits = [UInt32](repeating: 0, count: visitorCount + 1)
        let cuts = rows.withUnsafeBufferPointer { rows in
            visitorStarts.withUnsafeBufferPointer { starts in
                visitorVisits.withUnsafeMutableBufferPointer { visitorVisits in
                    [VisitCut](unsafeUninitializedCapacity: visits) { cuts, initialized in
                        // The same cuts as the count above, so `visit` stays below `visits`.
                        var visit = 0
                        for visitor in 0..<visitorCount {
                            visitorVisits[visitor] = UInt32(visit)
                            let start = Int(starts[visitor]), end = Int(starts[visitor + 1])
                            var first = start, entry = -1, exit = -1
                            var pageviews = 0, interactiveEvents = 0
                            for position in start..<end {
                                let row = rows[position]
                                if row.isPageview {
                                    pageviews += 1
                                    if entry < 0 { entry = position }
                                    exit = position
                                } else if row.interactive {
                                    interactiveEvents += 1
                                }
                                guard position == end - 1 || rows[position + 1].time - row.time > timeout else {
                                    continue
                                }
                                if entry < 0 {  // no page view: the visit's own ends
                                    entry = first
                                    exit = position
                                }
                                (cuts.baseAddress! + visit).initialize(
                                    to: VisitCut(
                                        end: UInt32(position + 1),
                                        bounce: pageviews == 1 && interactiveEvents == 0 ? 1 : 0,
                                        duration: UInt32(clamping: row.time - rows[first].time),
                                        ends: (first: Int32(first), entry: Int32(entry), exit: Int32(exit))))
                                visit += 1
                                first = position + 1
                                entry = -1
                                exit = -1
                                pageviews = 0
                                interactiveEvents = 0
                            }
                        }
                        visitorVisits[visitorCount] = UInt32(visit)
                        initialized = visit
                    }
                }
            }
        }
        precondition(cuts.count == visits, "the visit count changed between two passes over the same rows")
        columns.visitStarts = [0] + cuts.map(\.end)
        columns.bounces = cuts.map(\.bounce)
        columns.durations = cuts.map(\.duration)
        columns.visitorStarts = visitorVisits
        visitEnds = cuts.map(\.ends)
    }

    /// The number of visits once every visitor's rows are in time order, and the visitors whose
    /// rows are not (their visits are not counted right until they are sorted).
    func countVisits() -> (visits: Int, disordered: [Int]) {
        let timeout = DayFolder.sessionTimeout
        return rows.withUnsafeBufferPointer { rows in
            visitorStarts.withUnsafeBufferPointer { starts in
                var visits = 0
                var disordered: [Int] = []
                for visitor in 0..<visitorIDs.count {
                    let start = Int(starts[visitor]), end = Int(starts[visitor + 1])
                    for position in start..<end {
                        guard position < end - 1 else {
                            visits += 1
                            break
                        }
                        let gap = rows[position + 1].time - rows[position].time
                        if gap > timeout { visits += 1 }
                        if gap < 0 && disordered.last != visitor { disordered.append(visitor) }
                    }
                }
                return (visits, disordered)
            }
        }
    }

    /// Orders the rows in `range` by time, journal order breaking ties (the grouping kept journal
    /// order within a visitor). Rare: imported or clock-skewed hits.
    mutating func sortByTime(_ range: Range<Int>) {
        let order = range.sorted { (rows[$0].time, $0) < (rows[$1].time, $1) }
        let moved = order.map { rows[$0] }
        rows.replaceSubrange(range, with: moved)
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
    /// ``captureStarts(_:rows:from:)`` marked as a possible start), and its entry and exit pages.
    /// One key column at a time: a column of recorded keys is 4 bytes a possible start, small
    /// enough to stay in cache while each visit picks its key.
    mutating func assignVisitKeys() {
        let visits = visitEnds.count
        let entrySlot = FoldSlots.entry, exitSlot = FoldSlots.exit
        var keys = Dimension.sessionLevel.map { _ in [UInt32]() }
        let starts = rows.withUnsafeBufferPointer { rows in
            visitEnds.withUnsafeBufferPointer { ends in
                [Int32](unsafeUninitializedCapacity: visits) { buffer, initialized in
                    for visit in 0..<visits {
                        let start = rows[Int(ends[visit].first)].start
                        precondition(
                            start < UInt32(startCount), "a visit starts at a row not marked as a possible start")
                        buffer[visit] = Int32(start)
                    }
                    initialized = visits
                }
            }
        }
        starts.withUnsafeBufferPointer { starts in
            for slot in keys.indices where slot != entrySlot && slot != exitSlot {
                keys[slot] = startKeys[slot].withUnsafeBufferPointer { recorded in
                    [UInt32](unsafeUninitializedCapacity: visits) { buffer, initialized in
                        // Every start is below `startCount`, the length of each recorded column.
                        for visit in 0..<visits { buffer[visit] = recorded[Int(starts[visit])] }
                        initialized = visits
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { rows in
            visitEnds.withUnsafeBufferPointer { ends in
                keys[entrySlot] = [UInt32](unsafeUninitializedCapacity: visits) { buffer, initialized in
                    for visit in 0..<visits { buffer[visit] = rows[Int(ends[visit].entry)].page }
                    initialized = visits
                }
                keys[exitSlot] = [UInt32](unsafeUninitializedCapacity: visits) { buffer, initialized in
                    for visit in 0..<visits { buffer[visit] = rows[Int(ends[visit].exit)].page }
                    initialized = visits
                }
            }
        }
        columns.sessionKeys = keys
    }
}

/// One visit as ``FoldState/cutVisits()`` finds it, before its values go to their columns.
private struct VisitCut {
    /// One past its last row.
    var end: UInt32
    var bounce: UInt32
    var duration: UInt32
    /// Its first row, entry row and exit row.
    var ends: (first: Int32, entry: Int32, exit: Int32)
}
