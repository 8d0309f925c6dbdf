import Projections

extension QueryEngine {
    /// Counts a breakdown by goal for a site with defined goals: the question without the goal
    /// breakdown gives the totals, and each goal's condition added to its filter gives that goal's
    /// row. The result looks like any counted breakdown (a goal table of one key per goal, cells per
    /// hour when asked), so conversion rates, percentages, comparisons, order and paging work as
    /// for every other dimension.
    func countGoals(_ question: DayQuestion, goals: [Goal]) throws -> CountedDays {
        var plain = question
        plain.request.dimensions.removeAll { $0 == .dimension(.goal) }
        plain.dimensions.remove(.goal)
        let base = try counter.count(plain)
        let baseSums = Aggregator(days: base.days, selection: base.selection)
        let hours = question.hourly ? Array(0...DayRollup.wholeDay) : [DayRollup.wholeDay]
        let names = goals.map(\.name).sorted()
        var rows: [Int64: [DimensionTable.Row]] = [:]
        for goal in goals {
            var one = plain
            let condition = try goal.filter()
            one.request.filter = plain.request.filter.map { .and([$0, condition]) } ?? condition
            let counted = try counter.count(one)
            let sums = Aggregator(days: counted.days, selection: counted.selection)
            let key = UInt32(names.firstIndex(of: goal.name) ?? 0)
            for day in counted.days.keys {
                for hour in hours {
                    let metrics = sums.base(day, hour: hour)
                    if !metrics.isEmpty {
                        rows[day, default: []].append(.init(key: key, hour: UInt8(hour), metrics: metrics))
                    }
                }
            }
        }
        var days: [Int64: DayRollup] = [:]
        for (day, rollup) in base.days {
            var merged = rollup
            merged.totals = (0...DayRollup.wholeDay).map { baseSums.base(day, hour: $0) }
            merged[.goal] = DimensionTable(
                keys: names, rows: (rows[day] ?? []).sorted { ($0.key, $0.hour) < ($1.key, $1.hour) })
            days[day] = merged
        }
        var counted = CountedDays(
            days: days, path: base.path, fromRollups: base.fromRollups, folded: base.folded, position: base.position,
            damaged: base.damaged)
        counted.notes = base.notes
        counted.importsIncluded = base.importsIncluded
        return counted
    }
}
