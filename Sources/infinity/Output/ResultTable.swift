import Foundation
import Projections
import Query

/// Query results for people (aligned tables, 1.2k, 34%, 2m 05s) and for scripts (CSV, raw numbers).
enum ResultTable {
    /// A metric value for people.
    static func text(_ metric: Metric, _ value: Double?) -> String {
        guard let value else { return "–" }
        switch metric {
        case .visitors, .visits, .pageviews, .events: return Format.count(value)
        case .bounceRate, .conversionRate, .percentage, .scrollDepth: return percent(value)
        case .visitDuration, .timeOnPage: return Format.duration(value)
        case .viewsPerVisit: return String(format: "%.2f", value)
        case .revenue: return String(format: "%.2f", value)
        }
    }

    static func percent(_ value: Double) -> String {
        abs(value) < 10 && value != value.rounded() ? String(format: "%.1f%%", value) : "\(Int(value.rounded()))%"
    }

    /// A change for people: ▲ 12% (counts) or ▼ 3.1 pts (rates).
    static func change(_ metric: Metric, _ value: Double?) -> String {
        guard let value else { return "–" }
        let arrow = value > 0.0001 ? "▲" : value < -0.0001 ? "▼" : "="
        switch metric {
        case .bounceRate, .conversionRate, .percentage, .scrollDepth:
            return "\(arrow) \(String(format: "%.1f", abs(value))) pts"
        default: return "\(arrow) \(Int(abs(value).rounded()))%"
        }
    }

    /// A dimension value for people; empty is "(none)".
    static func label(_ value: String) -> String { value.isEmpty ? "(none)" : value }

    /// One line saying what the table is.
    static func describe(_ request: QueryRequest, _ result: QueryResult) -> String {
        var text =
            "\(request.site)\(request.funnel.map { " · funnel \($0)" } ?? "") · \(DayKey.isoDate(result.days.lowerBound)) – \(DayKey.isoDate(result.days.upperBound))"
        if let days = result.comparisonDays {
            text += " vs \(DayKey.isoDate(days.lowerBound)) – \(DayKey.isoDate(days.upperBound))"
        }
        return text + " · from \(result.meta.path) in \(Int(result.meta.milliseconds.rounded())) ms"
    }

    static func table(_ request: QueryRequest, _ result: QueryResult) -> String {
        let headers = request.dimensions.map(\.description) + request.metrics.map(\.rawValue)
        let compared = request.comparison != nil
        var table = TextTable(
            headers + (compared ? ["change"] : []),
            rightAligned: Set(request.dimensions.count..<(headers.count + (compared ? 1 : 0))))
        let rows = request.dimensions.isEmpty ? [result.totals] : result.rows
        for row in rows {
            var cells = row.dimensions.map(label)
            cells += zip(request.metrics, row.metrics).map { text($0, $1) }
            if compared { cells.append(change(request.metrics[0], row.change?.first ?? nil)) }
            table.add(cells)
        }
        if rows.isEmpty { return "No hits in this range.\n" }
        return table.render()
    }
}
