import Projections

/// Turns summed cells into result rows: derived metrics, comparison, order.
struct RowBuilder {
    let request: QueryRequest
    let aggregator: Aggregator
    let conversionBase: Aggregator?

    /// One row per time bucket and/or dimension value (one row in all without a breakdown).
    func rows(days: ClosedRange<Int64>) -> [QueryResult.Row] {
        let buckets: [TimeBucketCells] =
            request.timeBucket.map { TimeBucketCells.make($0, days: days) }
            ?? [TimeBucketCells(label: "", cells: days.map { ($0, DayRollup.wholeDay) })]
        let timeFirst = request.dimensions.first.map { if case .time = $0 { true } else { false } } ?? true
        var rows: [QueryResult.Row] = []
        for bucket in buckets {
            var base = Metrics()
            var goalBase = Metrics()
            for cell in bucket.cells {
                base += aggregator.base(cell.day, hour: cell.hour)
                if let conversionBase { goalBase += conversionBase.base(cell.day, hour: cell.hour) }
            }
            let timeLabel = request.timeBucket == nil ? [] : [bucket.label]
            guard let dimension = request.breakdown else {
                rows.append(row(timeLabel, base, total: base, goalBase: goalBase))
                continue
            }
            var values: [String: Metrics] = [:]
            for cell in bucket.cells {
                aggregator.addBreakdown(
                    cell.day, hour: cell.hour, dimension: dimension, propertyKey: request.breakdownPropertyKey,
                    into: &values)
            }
            for (label, metrics) in values {
                let labels = timeFirst ? timeLabel + [label] : [label] + timeLabel
                rows.append(row(labels, metrics, total: base, goalBase: goalBase))
            }
        }
        return rows
    }

    /// The totals row over the whole range.
    func totals(days: ClosedRange<Int64>) -> QueryResult.Row {
        var base = Metrics()
        var goalBase = Metrics()
        for day in days {
            base += aggregator.base(day, hour: DayRollup.wholeDay)
            if let conversionBase { goalBase += conversionBase.base(day, hour: DayRollup.wholeDay) }
        }
        return row([], base, total: base, goalBase: goalBase)
    }

    private func row(_ labels: [String], _ metrics: Metrics, total: Metrics, goalBase: Metrics) -> QueryResult.Row {
        QueryResult.Row(
            dimensions: labels,
            metrics: request.metrics.map { Self.value($0, metrics, total: total, goalBase: goalBase) },
            comparison: nil, change: nil)
    }

    /// A metric's value from summed cells.
    static func value(_ metric: Metric, _ m: Metrics, total: Metrics, goalBase: Metrics) -> Double? {
        func ratio(_ a: Int64, _ b: Int64, _ scale: Double = 1) -> Double? {
            b == 0 ? nil : Double(a) / Double(b) * scale
        }
        switch metric {
        case .visitors: return Double(m.visitors)
        case .visits: return Double(m.visits)
        case .pageviews: return Double(m.pageviews)
        case .events: return Double(m.events)
        case .viewsPerVisit: return ratio(m.pageviews, m.visits)
        case .bounceRate: return ratio(m.bounces, m.visits, 100)
        case .visitDuration: return ratio(m.duration, m.visits, 0.001)
        case .revenue: return Double(m.revenue) / 100
        case .percentage: return ratio(m.visitors, total.visitors, 100)
        case .conversionRate: return ratio(m.visitors, goalBase.visitors, 100)
        case .timeOnPage: return ratio(m.engagedSeconds, m.engagements)
        case .scrollDepth: return ratio(m.scrollDepth, m.engagements)
        }
    }

    /// Puts each comparison row beside its row: by position for time series, by dimension values
    /// otherwise. Rates change by their difference (points), counts by percent.
    static func attach(
        _ previous: [QueryResult.Row], to rows: [QueryResult.Row], byPosition: Bool, metrics: [Metric]
    ) -> [QueryResult.Row] {
        let byLabels = Dictionary(previous.map { ($0.dimensions, $0) }, uniquingKeysWith: { first, _ in first })
        // Time rows: the n-th bucket of a breakdown value is compared with the n-th bucket before.
        var positions: [[String]: Int] = [:]
        var previousByValue: [[String]: [QueryResult.Row]] = [:]
        for row in previous { previousByValue[Array(row.dimensions.dropFirst()), default: []].append(row) }
        return rows.map { row in
            var result = row
            let other: QueryResult.Row?
            if byPosition {
                let value = Array(row.dimensions.dropFirst())
                let index = positions[value, default: 0]
                positions[value] = index + 1
                let candidates = previousByValue[value] ?? []
                other = index < candidates.count ? candidates[index] : nil
            } else {
                other = byLabels[row.dimensions]
            }
            let before = other?.metrics ?? metrics.map { _ in 0 }
            result.comparison = before
            result.change = zip(metrics, zip(row.metrics, before)).map { metric, pair in
                guard let now = pair.0, let then = pair.1 else { return nil }
                switch metric {
                case .bounceRate, .conversionRate, .percentage, .scrollDepth: return now - then
                default: return then == 0 ? nil : (now - then) / then * 100
                }
            }
            return result
        }
    }

    /// Rows in the requested order: by default visitors (or the first metric) descending for a
    /// breakdown, time ascending for a series; ties broken by dimension values.
    func sorted(_ rows: [QueryResult.Row]) -> [QueryResult.Row] {
        var order = request.orderBy
        if order.isEmpty {
            if request.breakdown != nil {
                let first = request.metrics.contains(.visitors) ? "visitors" : request.metrics[0].rawValue
                order = request.timeBucket != nil ? [.init(key: "time", ascending: true)] : []
                order.append(.init(key: first, ascending: false))
            } else {
                order = [.init(key: "time", ascending: true)]
            }
        }
        // Each sort key becomes a metric or dimension position once, not at every comparison.
        enum Key {
            case metric(Int, ascending: Bool)
            case dimension(Int, ascending: Bool)
        }
        let keys: [Key] = order.compactMap { item in
            if let index = request.metrics.firstIndex(where: { $0.rawValue == item.key }) {
                return .metric(index, ascending: item.ascending)
            }
            if let index = request.dimensions.firstIndex(where: {
                $0.description == item.key || (item.key == "time" && { if case .time = $0 { true } else { false } }($0))
            }) {
                return .dimension(index, ascending: item.ascending)
            }
            return nil
        }
        return rows.sorted { a, b in
            for key in keys {
                switch key {
                case .metric(let index, let ascending):
                    let p = a.metrics[index] ?? -Double.infinity
                    let q = b.metrics[index] ?? -Double.infinity
                    if p != q { return ascending ? p < q : p > q }
                case .dimension(let index, let ascending):
                    guard index < a.dimensions.count, index < b.dimensions.count else { continue }
                    let p = a.dimensions[index]
                    let q = b.dimensions[index]
                    if p != q { return ascending ? p < q : p > q }
                }
            }
            return a.dimensions.lexicographicallyPrecedes(b.dimensions)
        }
    }
}
