import Projections

/// Sums day rollup cells into the rows of an answer.
struct Aggregator {
    let days: [Int64: DayRollup]
    let selection: QueryPlan.Selection?

    /// The base numbers of one day at one hour (24: the whole day): the totals, or the sum of the
    /// selected cells.
    func base(_ day: Int64, hour: Int) -> Metrics {
        guard let rollup = days[day] else { return Metrics() }
        guard let selection else { return rollup.totals[hour] }
        var sum = Metrics()
        let table = rollup[selection.dimension]
        var matching: [Bool] = []
        matching.reserveCapacity(table.keys.count)
        for key in table.keys { matching.append(selection.test(key)) }
        for row in table.rows where Int(row.hour) == hour && matching[Int(row.key)] { sum += row.metrics }
        return sum
    }

    /// Adds the numbers of every value of `dimension` on one day at one hour to `sums`. With a
    /// property key, only that property's values, labelled by value.
    func addBreakdown(
        _ day: Int64, hour: Int, dimension: Dimension, propertyKey: String?, into sums: inout [String: Metrics]
    ) {
        guard let rollup = days[day] else { return }
        let table = rollup[dimension]
        let prefix = propertyKey.map { $0 + "=" }
        let filtering = selection.map { $0.dimension == dimension } ?? false
        if sums.isEmpty { sums.reserveCapacity(table.rows.count) }
        for row in table.rows where Int(row.hour) == hour {
            var label = table.keys[Int(row.key)]
            if filtering, let selection, !selection.test(label) { continue }
            if let prefix {
                guard label.hasPrefix(prefix) else { continue }
                label = String(label.dropFirst(prefix.count))
            }
            sums[label, default: Metrics()] += row.metrics
        }
    }
}

/// A time bucket of a series: its label and the (day, hour) cells it sums.
struct TimeBucketCells {
    let label: String
    let cells: [(day: Int64, hour: Int)]

    /// The buckets covering `days`, in order.
    static func make(_ bucket: QueryDimension.TimeBucket, days: ClosedRange<Int64>) -> [TimeBucketCells] {
        switch bucket {
        case .hour:
            return days.flatMap { day in
                (0..<24).map { hour in
                    TimeBucketCells(
                        label: "\(DayKey.isoDate(day)) \(hour < 10 ? "0" : "")\(hour):00", cells: [(day, hour)])
                }
            }
        case .day:
            return days.map { TimeBucketCells(label: DayKey.isoDate($0), cells: [($0, DayRollup.wholeDay)]) }
        case .week, .month:
            var result: [TimeBucketCells] = []
            var current: (start: Int64, cells: [(day: Int64, hour: Int)])?
            for day in days {
                let start = bucket == .week ? CivilDays.weekStart(of: day) : CivilDays.monthStart(of: day)
                if current?.start != start {
                    if let current {
                        result.append(TimeBucketCells(label: DayKey.isoDate(current.start), cells: current.cells))
                    }
                    current = (start, [])
                }
                current!.cells.append((day, DayRollup.wholeDay))
            }
            if let current {
                result.append(TimeBucketCells(label: DayKey.isoDate(current.start), cells: current.cells))
            }
            return result
        }
    }
}
