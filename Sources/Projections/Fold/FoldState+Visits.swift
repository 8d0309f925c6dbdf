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

    mutating func sortByTime(_ range: Range<Int>) {
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
        // Rare (imported or clock-skewed hits): order by time, journal order breaking ties (the
        // grouping kept journal order within a visitor).
        let order = range.sorted { (rows[$0].time, $0) < (rows[$1].time, $1) }
        let moved = order.map { rows[$0] }
        rows.replaceSubrange(range, with: moved)
    }

    mutating func addVisit(_ range: Range<Int>) {
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
