import Dispatch

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

    /// Branch-free: whether a visitor or visit is new to a cell follows no pattern the processor
    /// could predict, and each wrong guess would stall the loads of the cells after it.
    @inline(__always)
    mutating func touch(_ visit: VisitStamp, pageviews: UInt32, events: UInt32, revenue: Int64) {
        let newVisitor: UInt32 = lastVisitor != visit.visitor ? 1 : 0
        let newVisit: UInt32 = lastVisit != visit.visit ? 1 : 0
        lastVisitor = visit.visitor
        lastVisit = visit.visit
        visitors &+= newVisitor
        visits &+= newVisit
        bounces &+= visit.bounce & (0 &- newVisit)
        duration &+= visit.duration & (0 &- Int64(newVisit))
        self.pageviews &+= pageviews
        self.events &+= events
        self.revenue &+= revenue
    }

    /// A visit's one touch of a session dimension's whole-day cell: always a visit new to the
    /// cell, so only the visitor is compared (and `lastVisit`, which nothing reads for these
    /// cells, is not kept).
    @inline(__always)
    mutating func touchSession(_ touch: SessionTouch) {
        let newVisitor: UInt32 = lastVisitor != touch.stamp.visitor ? 1 : 0
        lastVisitor = touch.stamp.visitor
        visitors &+= newVisitor
        visits &+= 1
        bounces &+= touch.stamp.bounce
        duration &+= touch.stamp.duration
        pageviews &+= touch.pageviews
        events &+= touch.events
        revenue &+= touch.revenue
    }

    /// Adds the counts of `other`, a cell of visitors this one never saw.
    @inline(__always)
    mutating func add(_ other: FoldCell) {
        visitors &+= other.visitors
        visits &+= other.visits
        pageviews &+= other.pageviews
        events &+= other.events
        bounces &+= other.bounces
        duration &+= other.duration
        revenue &+= other.revenue
    }

    var metrics: Metrics {
        Metrics(
            visitors: Int64(visitors), visits: Int64(visits), pageviews: Int64(pageviews), events: Int64(events),
            bounces: Int64(bounces), duration: duration, revenue: revenue)
    }
}

/// The engagement numbers of one cell, kept apart from ``FoldCell`` so that days without
/// engagement reports count exactly as fast as before.
struct EngagementCell {
    var reports: UInt32 = 0
    var seconds: UInt64 = 0
    var scroll: UInt32 = 0

    @inline(__always)
    mutating func add(seconds: UInt64, scroll: UInt8) {
        reports &+= 1
        self.seconds &+= seconds
        self.scroll &+= UInt32(scroll)
    }
}

/// What a visit adds to the cells it touches: its stamps (visitor + 1, visit + 1) and its numbers.
struct VisitStamp {
    var visitor: UInt32
    var visit: UInt32
    var bounce: UInt32
    var duration: Int64
}

/// A visit's touch of its session dimensions' whole-day cells, held back until a chunk of them is
/// made one dimension at a time.
struct SessionTouch {
    var stamp: VisitStamp
    var pageviews: UInt32
    var events: UInt32
    var revenue: Int64
}

/// Counts a ``VisitTable`` into rollup cells.
///
/// Because a visitor's visits are consecutive, "distinct visitors in this cell" needs no set: a
/// cell remembers the last visitor and the last visit that touched it. Every visit touches the
/// whole-day cell of each session dimension once; every hit touches the whole-day cell of each of
/// its hit dimensions; with hours, runs of hits in the same hour touch the hour cells too.
enum CellCounter {
    /// How many visits' session touches are held back at a time (40 bytes each, 20 KiB in all).
    static let sessionChunk = 512

    /// Which cells to count.
    struct Scope: Sendable {
        /// Only these dimensions' tables (nil: all).
        var only: Set<Dimension>?
        /// Cells per local hour for the dimensions, not only per day.
        var dimensionHours: Bool
        /// Total cells per local hour, not only per day.
        var totalHours: Bool
        /// Whether engagement reports are read and counted (time on page, scroll depth); a
        /// question that does not ask for them skips their column.
        var engagement = true

        /// What a day file stores: every dimension per day, the totals per hour.
        static let stored = Scope(only: nil, dimensionHours: false, totalHours: true)

        /// The visit-table columns counting needs.
        var columns: VisitTable.Columns {
            var columns: VisitTable.Columns = engagement ? [.structure, .engagements] : .structure
            if dimensionHours || totalHours { columns.insert(.hours) }
            for dimension in only ?? Set(Dimension.allCases) { columns.formUnion(.counting(dimension)) }
            return columns
        }
    }

    /// Counts `table` into `rollup`'s cells. With `lanes` above 1, a large day is split into runs of
    /// whole visitors counted on that many threads into cells of their own, then summed: a visitor
    /// is in one run only, so every count (distinct visitors too) is a plain sum.
    static func count(
        _ table: VisitTable, into rollup: DayRollup, filter: CompiledFilter?, scope: Scope, lanes: Int = 1
    ) -> DayRollup {
        let dimensions = Dimension.allCases
        func counted(_ dimension: Dimension) -> Bool { scope.only?.contains(dimension) ?? true }
        let hours = scope.dimensionHours ? 25 : 1
        let wholeDay = scope.dimensionHours ? DayRollup.wholeDay : 0
        let trackHours = scope.dimensionHours || scope.totalHours
        // One flat block of cells: each counted dimension's keys × hours, then the 25 total cells.
        var offsets: [Int] = []
        var size = 0
        for dimension in dimensions {
            offsets.append(size)
            if counted(dimension) { size += table.keys[KeySpace(dimension).rawValue].count * hours }
        }
        let totals = size
        size += 25
        let cells = UnsafeMutableBufferPointer<FoldCell>.allocate(capacity: size)
        cells.initialize(repeating: FoldCell())
        defer { cells.deallocate() }

        let visitMask = filter.flatMap { $0.isSessionLevel ? $0.visitMask(table) : nil } ?? []
        let hitMask = filter.flatMap { $0.isSessionLevel ? nil : $0.hitMask(table) } ?? []
        let filtersVisits = filter?.isSessionLevel == true, filtersHits = filter?.isSessionLevel == false
        // The hot loop reads columns through plain pointers (`PackedView`) and buffers, so that it
        // retains and releases nothing; `table` keeps the storage alive meanwhile.
        let sessionSlots = Dimension.sessionLevel.filter(counted).map {
            (keys: table.sessionKeys[FoldSlots.slot(of: $0)].view, offset: offsets[Int($0.rawValue)])
        }
        let pageOffset = counted(.page) ? offsets[Int(Dimension.page.rawValue)] : -1
        let hostnameOffset = counted(.hostname) ? offsets[Int(Dimension.hostname.rawValue)] : -1
        let goalOffset = counted(.goal) ? offsets[Int(Dimension.goal.rawValue)] : -1
        let propertyKeyOffset = counted(.propertyKey) ? offsets[Int(Dimension.propertyKey.rawValue)] : -1
        let propertyOffset = counted(.property) ? offsets[Int(Dimension.property.rawValue)] : -1
        let currencyOffset = counted(.currency) ? offsets[Int(Dimension.currency.rawValue)] : -1
        let goals = table.goals.view, pages = table.pages.view, hostnames = table.hostnames.view
        let hourColumn = table.hours.view
        let visitStarts = table.visitStarts.view, visitorStarts = table.visitorStarts.view
        let bounces = table.bounces.view, durations = table.durations.view
        let extras = table.extras
        let revenues = extras.revenues, currencies = extras.currencies
        let extraPropertyKeys = extras.propertyKeys, extraProperties = extras.properties
        let extraHits = table.extraHits
        let laneStarts = Self.visitorRuns(of: table, cells: size, lanes: lanes)
        let laneCount = laneStarts.count - 1
        let laneCells =
            [cells]
            + (1..<laneCount).map { _ in
                let lane = UnsafeMutableBufferPointer<FoldCell>.allocate(capacity: size)
                lane.initialize(repeating: FoldCell())
                return lane
            }
        defer { for lane in laneCells.dropFirst() { lane.deallocate() } }
        // Whether hits only add to the totals and the visit's session keys (no hit dimension, no
        // filter on hits): then a visit's hits are summed per hour before any cell is touched.
        let sessionOnly =
            !filtersHits
            && [pageOffset, hostnameOffset, goalOffset, propertyKeyOffset, propertyOffset, currencyOffset].allSatisfy {
                $0 < 0
            }
        withExtendedLifetime(table) {
            sessionSlots.withUnsafeBufferPointer { sessionSlots in
                visitMask.withUnsafeBufferPointer { visitMask in
                    hitMask.withUnsafeBufferPointer { hitMask in
                        extraHits.withUnsafeBufferPointer { extraHits in
                            revenues.withUnsafeBufferPointer { revenues in
                                func countVisitors(_ lane: Int) {
                                    let cells = laneCells[lane]
                                    // Without hour cells per dimension, a visit touches one whole-day
                                    // cell of each session dimension. Those touches are held for a
                                    // chunk of visits and then made a few dimensions at a time, so that
                                    // fewer cells are in play than when each visit reached into every
                                    // dimension's cells. A cell still sees its visits in order, so its
                                    // stamps work as before.
                                    let heldBack = !scope.dimensionHours && !sessionSlots.isEmpty
                                    let touches = UnsafeMutableBufferPointer<SessionTouch>.allocate(
                                        capacity: heldBack ? Self.sessionChunk : 0)
                                    defer { touches.deallocate() }
                                    var held = 0
                                    func touchSessions() {
                                        // Four dimensions a pass: a dimension with few keys touches
                                        // the same cell visit after visit, and each touch waits for
                                        // the last; four such chains overlap.
                                        var first = 0
                                        while first + 4 <= sessionSlots.count {
                                            let a = sessionSlots[first], b = sessionSlots[first + 1]
                                            let c = sessionSlots[first + 2], d = sessionSlots[first + 3]
                                            for index in 0..<held {
                                                let touch = touches[index]
                                                let visit = Int(touch.stamp.visit &- 1)
                                                cells[a.offset + Int(a.keys[visit])].touchSession(touch)
                                                cells[b.offset + Int(b.keys[visit])].touchSession(touch)
                                                cells[c.offset + Int(c.keys[visit])].touchSession(touch)
                                                cells[d.offset + Int(d.keys[visit])].touchSession(touch)
                                            }
                                            first += 4
                                        }
                                        for slot in sessionSlots[first...] {
                                            for index in 0..<held {
                                                let touch = touches[index]
                                                let visit = Int(touch.stamp.visit &- 1)
                                                cells[slot.offset + Int(slot.keys[visit])].touchSession(touch)
                                            }
                                        }
                                        held = 0
                                    }
                                    defer { touchSessions() }
                                    // The cursor skips forward to each hit's extras, past
                                    // those of earlier lanes' hits too.
                                    var extraCursor = 0
                                    for visitor in laneStarts[lane]..<laneStarts[lane + 1] {
                                        for visit in Int(visitorStarts[visitor])..<Int(visitorStarts[visitor + 1]) {
                                            if filtersVisits && !visitMask[visit] { continue }
                                            let stamp = VisitStamp(
                                                visitor: UInt32(visitor + 1), visit: UInt32(visit + 1),
                                                bounce: bounces[visit],
                                                duration: Int64(durations[visit]))
                                            @inline(__always)
                                            func flush(
                                                _ hour: Int,
                                                _ counts: (pageviews: UInt32, events: UInt32, revenue: Int64)
                                            ) {
                                                cells[totals + hour].touch(
                                                    stamp, pageviews: counts.pageviews, events: counts.events,
                                                    revenue: counts.revenue)
                                                guard hour == DayRollup.wholeDay || scope.dimensionHours else { return }
                                                if heldBack {
                                                    touches[held] = SessionTouch(
                                                        stamp: stamp, pageviews: counts.pageviews,
                                                        events: counts.events, revenue: counts.revenue)
                                                    held += 1
                                                    if held == Self.sessionChunk { touchSessions() }
                                                    return
                                                }
                                                let cell = hour == DayRollup.wholeDay ? wholeDay : hour
                                                for slot in sessionSlots {
                                                    cells[slot.offset + Int(slot.keys[visit]) * hours + cell].touch(
                                                        stamp, pageviews: counts.pageviews, events: counts.events,
                                                        revenue: counts.revenue)
                                                }
                                            }
                                            if sessionOnly {
                                                // Only totals and session keys: runs of hits in one hour
                                                // are counted first and touch the cells once.
                                                let first = Int(visitStarts[visit]), end = Int(visitStarts[visit + 1])
                                                var whole = (pageviews: UInt32(0), events: UInt32(0), revenue: Int64(0))
                                                var hit = first
                                                while hit < end {
                                                    let runStart = hit
                                                    let hour = trackHours ? Int(hourColumn[hit]) : 0
                                                    var events: UInt32 = 0
                                                    repeat {
                                                        events &+= goals[hit] == 0 ? 0 : 1
                                                        hit += 1
                                                    } while hit < end && (!trackHours || Int(hourColumn[hit]) == hour)
                                                    var revenue: Int64 = 0
                                                    while extraCursor < extraHits.count
                                                        && Int(extraHits[extraCursor]) < runStart
                                                    {
                                                        extraCursor += 1
                                                    }
                                                    while extraCursor < extraHits.count
                                                        && Int(extraHits[extraCursor]) < hit
                                                    {
                                                        revenue &+= revenues[extraCursor]
                                                        extraCursor += 1
                                                    }
                                                    let run = (
                                                        pageviews: UInt32(hit - runStart) &- events, events: events,
                                                        revenue: revenue
                                                    )
                                                    if trackHours { flush(hour, run) }
                                                    whole.pageviews &+= run.pageviews
                                                    whole.events &+= run.events
                                                    whole.revenue &+= run.revenue
                                                }
                                                if end > first { flush(DayRollup.wholeDay, whole) }
                                                continue
                                            }
                                            var runHour = -1
                                            var run = (pageviews: UInt32(0), events: UInt32(0), revenue: Int64(0))
                                            var whole = run
                                            var matched = false
                                            for hit in Int(visitStarts[visit])..<Int(visitStarts[visit + 1]) {
                                                if filtersHits && !hitMask[hit] { continue }
                                                matched = true
                                                let goal = goals[hit]
                                                let pageviews: UInt32 = goal == 0 ? 1 : 0
                                                let events: UInt32 = 1 &- pageviews
                                                while extraCursor < extraHits.count && Int(extraHits[extraCursor]) < hit
                                                {
                                                    extraCursor += 1
                                                }
                                                let extra =
                                                    extraCursor < extraHits.count && Int(extraHits[extraCursor]) == hit
                                                    ? extraCursor : -1
                                                let revenue = extra >= 0 ? revenues[extra] : 0
                                                var hour = 0
                                                if trackHours {
                                                    hour = Int(hourColumn[hit])
                                                    if hour != runHour {
                                                        if runHour >= 0 { flush(runHour, run) }
                                                        runHour = hour
                                                        run = (0, 0, 0)
                                                    }
                                                    run.pageviews &+= pageviews
                                                    run.events &+= events
                                                    run.revenue &+= revenue
                                                }
                                                whole.pageviews &+= pageviews
                                                whole.events &+= events
                                                whole.revenue &+= revenue
                                                @inline(__always)
                                                func touchHit(_ offset: Int, _ key: UInt32) {
                                                    let base = offset + Int(key) * hours
                                                    if scope.dimensionHours {
                                                        cells[base + hour].touch(
                                                            stamp, pageviews: pageviews, events: events,
                                                            revenue: revenue)
                                                    }
                                                    cells[base + wholeDay].touch(
                                                        stamp, pageviews: pageviews, events: events, revenue: revenue)
                                                }
                                                if pageOffset >= 0 { touchHit(pageOffset, pages[hit]) }
                                                if hostnameOffset >= 0 { touchHit(hostnameOffset, hostnames[hit]) }
                                                if goalOffset >= 0 && goal != 0 { touchHit(goalOffset, goal - 1) }
                                                if extra >= 0 {
                                                    let pairs = extras.pairs(of: extra)
                                                    if propertyKeyOffset >= 0 {
                                                        for pair in pairs {
                                                            touchHit(propertyKeyOffset, extraPropertyKeys[pair])
                                                        }
                                                    }
                                                    if propertyOffset >= 0 {
                                                        for pair in pairs {
                                                            touchHit(propertyOffset, extraProperties[pair])
                                                        }
                                                    }
                                                    if currencyOffset >= 0 && currencies[extra] != .max {
                                                        touchHit(currencyOffset, currencies[extra])
                                                    }
                                                }
                                            }
                                            if runHour >= 0 { flush(runHour, run) }
                                            if matched { flush(DayRollup.wholeDay, whole) }
                                        }
                                    }
                                }
                                if laneCount == 1 {
                                    countVisitors(0)
                                } else {
                                    withoutActuallyEscaping(countVisitors) { body in
                                        let lanes = Lanes(count: body)
                                        DispatchQueue.concurrentPerform(iterations: laneCount) { lanes.count($0) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for lane in laneCells.dropFirst() {
            for index in 0..<size { cells[index].add(lane[index]) }
        }
        // Engagement: the matching reports of one page in one visit (consecutive: they are sorted
        // so) make one unit, their seconds summed and their deepest scroll kept, counted into the
        // cells of the visit's session keys and of the first matching report's page, host name and hour.
        // Only a table with reports gets these cells (most days folded before engagement existed,
        // and every question not asking for it, have none).
        let engaged = !table.engagements.isEmpty
        let engagement = UnsafeMutableBufferPointer<EngagementCell>.allocate(capacity: engaged ? size : 0)
        engagement.initialize(repeating: EngagementCell())
        defer { engagement.deallocate() }
        if engaged {
            let reports = table.engagements
            let reportMask = filtersHits ? filter?.engagementMask(table) ?? [] : []
            withExtendedLifetime(table) {
                var index = 0
                while index < reports.count {
                    let first = reports[index]
                    var seconds: UInt64 = 0
                    var scroll: UInt8 = 0
                    var unit: Engagement?
                    while index < reports.count && reports[index].visit == first.visit
                        && reports[index].page == first.page
                    {
                        if !filtersHits || reportMask[index] {
                            if unit == nil { unit = reports[index] }
                            seconds &+= UInt64(reports[index].seconds)
                            scroll = max(scroll, reports[index].scroll)
                        }
                        index += 1
                    }
                    let visit = Int(first.visit)
                    guard let unit, visit >= 0, !filtersVisits || visitMask[visit] else { continue }
                    let hour = Int(unit.hour)
                    engagement[totals + DayRollup.wholeDay].add(seconds: seconds, scroll: scroll)
                    if trackHours { engagement[totals + hour].add(seconds: seconds, scroll: scroll) }
                    @inline(__always)
                    func add(_ offset: Int, _ key: UInt32) {
                        let base = offset + Int(key) * hours
                        engagement[base + wholeDay].add(seconds: seconds, scroll: scroll)
                        if scope.dimensionHours { engagement[base + hour].add(seconds: seconds, scroll: scroll) }
                    }
                    for slot in sessionSlots { add(slot.offset, slot.keys[visit]) }
                    if pageOffset >= 0 { add(pageOffset, unit.page) }
                    if hostnameOffset >= 0 { add(hostnameOffset, unit.hostname) }
                }
            }
        }
        func metrics(_ index: Int) -> Metrics {
            var metrics = cells[index].metrics
            guard engaged else { return metrics }
            let reports = engagement[index]
            metrics.engagements = Int64(reports.reports)
            metrics.engagedSeconds = Int64(reports.seconds)
            metrics.scrollDepth = Int64(reports.scroll)
            return metrics
        }
        var result = rollup
        result.records = Int64(table.hitCount + table.engagements.count)
        result.totals = (0..<25).map { metrics(totals + $0) }
        for dimension in dimensions where counted(dimension) {
            let keys = table.keys[KeySpace(dimension).rawValue]
            let offset = offsets[Int(dimension.rawValue)]
            var rows: [DimensionTable.Row] = []
            for key in 0..<keys.count {
                for hour in 0..<hours {
                    let index = offset + key * hours + hour
                    guard cells[index].visitors > 0 || (engaged && engagement[index].reports > 0) else { continue }
                    let label = scope.dimensionHours ? UInt8(hour) : UInt8(DayRollup.wholeDay)
                    rows.append(DimensionTable.Row(key: UInt32(key), hour: label, metrics: metrics(index)))
                }
            }
            result[dimension] = DimensionTable(keys: keys, rows: rows)
        }
        return result
    }
}
