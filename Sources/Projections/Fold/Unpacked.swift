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
    var extras = FoldExtras()
    var visitStarts: [UInt32] = [0]
    var bounces: [UInt32] = []
    var durations: [UInt32] = []
    var sessionKeys: [[UInt32]] = []
    var visitorStarts: [UInt32] = [0]
    var engagements: [Engagement] = []

    /// Sorts every key space's strings and renumbers every id that points into it, so that a
    /// table's ids (and the rollup rows counted from it) do not depend on first-seen order.
    mutating func sortKeys(compacting: Bool) {
        // Session key spaces keep only the strings some visit has (with `compacting`): rows that
        // might have started a visit but did not had theirs interned too.
        var used: [[Bool]?] = KeySpace.allCases.map { _ in nil }
        for (slot, dimension) in Dimension.sessionLevel.enumerated() where compacting {
            let space = KeySpace(dimension)
            guard space.isCompacted else { continue }
            var marks = used[space.rawValue] ?? [Bool](repeating: false, count: keys[space.rawValue].count)
            marks.withUnsafeMutableBufferPointer { marks in
                sessionKeys[slot].withUnsafeBufferPointer { ids in
                    // Ids are interned in this space, so each is below its string count.
                    for id in ids { marks[Int(id)] = true }
                }
            }
            used[space.rawValue] = marks
        }
        var ranks: [[UInt32]] = []
        for space in KeySpace.allCases {
            let strings = keys[space.rawValue]
            let kept =
                used[space.rawValue].map { marks in strings.indices.filter { marks[$0] } } ?? Array(strings.indices)
            let sorted = kept.sorted { strings[$0] < strings[$1] }
            var rank = [UInt32](repeating: 0, count: strings.count)
            for (position, id) in sorted.enumerated() { rank[id] = UInt32(position) }
            ranks.append(rank)
            keys[space.rawValue] = sorted.map { strings[$0] }
        }
        func remap(_ column: inout [UInt32], _ space: KeySpace) {
            ranks[space.rawValue].withUnsafeBufferPointer { rank in
                column.withUnsafeMutableBufferPointer { column in
                    // Ids are interned in this space (`.max`, a page view's goal, stays).
                    for index in 0..<column.count where column[index] != .max {
                        column[index] = rank[Int(column[index])]
                    }
                }
            }
        }
        remap(&pages, .page)
        remap(&hostnames, .hostname)
        remap(&goals, .goal)
        for (slot, dimension) in Dimension.sessionLevel.enumerated() { remap(&sessionKeys[slot], KeySpace(dimension)) }
        for index in engagements.indices {
            engagements[index].page = ranks[KeySpace.page.rawValue][Int(engagements[index].page)]
            engagements[index].hostname = ranks[KeySpace.hostname.rawValue][Int(engagements[index].hostname)]
        }
        extras.renumber(
            propertyKey: ranks[KeySpace.propertyKey.rawValue], property: ranks[KeySpace.property.rawValue],
            currency: ranks[KeySpace.currency.rawValue])
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
        table.extras = extras.reordered(extraOrder)
        table.visitStarts = PackedColumn(visitStarts)
        table.bounces = PackedColumn(bounces)
        table.durations = PackedColumn(durations)
        table.sessionKeys = sessionKeys.map(PackedColumn.init)
        table.visitorStarts = PackedColumn(visitorStarts)
        table.engagements = engagements
        return table
    }
}
