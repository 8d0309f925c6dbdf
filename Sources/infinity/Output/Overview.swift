import Projections
import Query

/// The dashboard overview in a terminal: headline numbers with their change, a sparkline of
/// visitors per day, and the top five of pages, sources, countries and devices.
struct Overview {
    let engine: QueryEngine
    let request: QueryRequest

    func print() throws {
        let overview = request.overview
        let totals = overview.headline
        let headline = try engine.run(totals)
        Swift.print(ResultTable.describe(totals, headline))
        Swift.print("")
        let names = [
            "Unique visitors", "Total visits", "Pageviews", "Views per visit", "Bounce rate", "Visit duration",
        ]
        var table = TextTable(["", "now", "change"], rightAligned: [1, 2])
        for (index, metric) in totals.metrics.enumerated() {
            table.add([
                names[index], ResultTable.text(metric, headline.totals.metrics[index]),
                ResultTable.change(metric, headline.totals.change?[index] ?? nil),
            ])
        }
        Swift.print(table.render(), terminator: "")

        // One point per day up to three months, then per week, then per month (all time).
        var series = overview.series
        let bucket = QueryDimension.TimeBucket.automatic(days: max(headline.days.count, 3))
        series.dimensions = [.time(bucket)]
        let points = try engine.run(series).rows.map { $0.metrics[0] ?? 0 }
        Swift.print(
            "\nVisitors per \(bucket.rawValue)  \(Self.sparkline(points))  (max \(Format.count(points.max() ?? 0)))")

        for top in overview.panels {
            let (title, dimension) = (top.title, top.dimension)
            let result = try engine.run(top.request)
            var panel = TextTable([title, "visitors", "%"], rightAligned: [1, 2])
            for row in result.rows {
                panel.add([
                    dimension == .source && row.dimensions[0].isEmpty
                        ? "Direct / None" : ResultTable.label(row.dimensions[0]),
                    ResultTable.text(.visitors, row.metrics[0]), ResultTable.text(.percentage, row.metrics[1]),
                ])
            }
            Swift.print("")
            Swift.print(result.rows.isEmpty ? "\(title): no hits in this range" : panel.render(), terminator: "")
        }
        // Missing journal records concern every panel alike: say so once, below them.
        if !headline.meta.warnings.isEmpty { Swift.print("") }
        for warning in headline.meta.warnings { Swift.print("note: \(warning)") }
    }

    /// ▁▂▃▄▅▆▇█ for each value, scaled to the largest.
    static func sparkline(_ values: [Double]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let top = values.max() ?? 0
        guard top > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { bars[min(bars.count - 1, Int(($0 / top) * Double(bars.count - 1) + 0.5))] })
    }
}
