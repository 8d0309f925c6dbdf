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
        case .bounceRate, .conversionRate, .percentage: return percent(value)
        case .visitDuration: return Format.duration(value)
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
        case .bounceRate, .conversionRate, .percentage: return "\(arrow) \(String(format: "%.1f", abs(value))) pts"
        default: return "\(arrow) \(Int(abs(value).rounded()))%"
        }
    }

    /// A dimension value for people; empty is "(none)".
    static func label(_ value: String) -> String { value.isEmpty ? "(none)" : value }

    /// One line saying what the table is.
    static func describe(_ request: QueryRequest, _ result: QueryResult) -> String {
        var text =
            "\(request.site) · \(DayKey.isoDate(result.days.lowerBound)) – \(DayKey.isoDate(result.days.upperBound))"
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

    /// A visitor-sent value as a spreadsheet shows it, never runs it: one that starts like a formula
    /// (`=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'` (OWASP's advice for CSV).
    static func spreadsheetSafe(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// One CSV field: quoted when it holds a comma, quote or line break (RFC 4180).
    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func csv(_ request: QueryRequest, _ result: QueryResult) -> String {
        let field = csvField
        func number(_ value: Double?) -> String {
            guard let value else { return "" }
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        var header = request.dimensions.map(\.description) + request.metrics.map(\.rawValue)
        if request.comparison != nil {
            header +=
                request.metrics.map { "previous_\($0.rawValue)" } + request.metrics.map { "change_\($0.rawValue)" }
        }
        var lines = [header.map(field).joined(separator: ",")]
        for row in request.dimensions.isEmpty ? [result.totals] : result.rows {
            var cells = row.dimensions.map { field(spreadsheetSafe($0)) } + row.metrics.map(number)
            if request.comparison != nil {
                cells += (row.comparison ?? []).map(number) + (row.change ?? []).map(number)
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
