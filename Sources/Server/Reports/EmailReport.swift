import Foundation
import Projections
import Query

/// The weekly or monthly summary of one site, as an e-mail: visitors, page views, bounce rate and
/// visit duration with their change against the period before, and the top pages and sources.
/// Every number comes from the query engine, as the dashboard's do.
public enum EmailReport {
    /// The report of `site` for the last whole `period` before `now` (ms UTC), addressed to `to`.
    public static func make(site: String, period: ReportPeriod, to: String, engine: QueryEngine, now: Int64) throws
        -> MailMessage
    {
        var clock = engine.worker.calendar.clock(for: site)
        let days = period.lastComplete(before: clock.day(of: now))
        let range = DateRange.custom(from: days.lowerBound, to: days.upperBound)
        let metrics: [Metric] = [.visitors, .pageviews, .bounceRate, .visitDuration]
        let totals = try engine.run(
            QueryRequest(site: site, dateRange: range, metrics: metrics, comparison: .previousPeriod), now: now
        ).totals
        func top(_ dimension: QueryDimension) throws -> [(String, Double)] {
            try engine.run(
                QueryRequest(site: site, dateRange: range, metrics: [.visitors], dimensions: [dimension], limit: 5),
                now: now
            ).rows.map { ($0.dimensions.first ?? "", $0.metrics.first.flatMap { $0 } ?? 0) }
        }
        let pages = try top(.dimension(.page))
        let sources = try top(.dimension(.source))
        let name = period.name(of: days)
        let labels = ["Visitors", "Pageviews", "Bounce rate", "Visit duration"]
        let lines: [(label: String, value: String, change: String)] = metrics.indices.map { index in
            let value = totals.metrics[index]
            let text =
                switch metrics[index] {
                case .bounceRate: value.map { "\(Int($0.rounded()))%" } ?? "–"
                case .visitDuration: value.map(duration) ?? "–"
                default: value.map { grouped(Int($0)) } ?? "0"
                }
            return (labels[index], text, change(metrics[index], totals.change?[index] ?? nil))
        }
        let visitors = grouped(Int(totals.metrics[0] ?? 0))
        let other = period == .week ? "the week before" : "the month before"
        var text = "\(site) — \(name) (\(DayKey.isoDate(days.lowerBound)) to \(DayKey.isoDate(days.upperBound)))\n\n"
        for line in lines {
            text += line.label.padding(toLength: 16, withPad: " ", startingAt: 0) + line.value
            text += line.change.isEmpty ? "\n" : "  (\(line.change) against \(other))\n"
        }
        for (title, rows) in [("Top pages", pages), ("Top sources", sources)] {
            text += "\n\(title)\n"
            if rows.isEmpty { text += "  none\n" }
            for (label, count) in rows {
                let shown: String = label.isEmpty ? "Direct / None" : label
                text += "  " + shown.padding(toLength: 40, withPad: " ", startingAt: 0)
                text += grouped(Int(count)) + "\n"
            }
        }
        text += "\nSent by Infinity Metrics. Numbers are in \(site)'s own time zone.\n"
        var html = "<!doctype html><html><body style=\"font-family:system-ui,sans-serif\">"
        html += "<h2>\(escape(site)) — \(escape(name))</h2><table>"
        for line in lines {
            html += "<tr><td>\(line.label)</td><td style=\"text-align:right\"><b>\(line.value)</b></td>"
            html += "<td style=\"color:#666\">\(escape(line.change))</td></tr>"
        }
        html += "</table>"
        for (title, rows) in [("Top pages", pages), ("Top sources", sources)] {
            html += "<h3>\(title)</h3><table>"
            for (label, count) in rows {
                html += "<tr><td>\(escape(label.isEmpty ? "Direct / None" : label))</td>"
                html += "<td style=\"text-align:right\">\(grouped(Int(count)))</td></tr>"
            }
            html += "</table>"
        }
        html += "<p style=\"color:#666\">Sent by Infinity Metrics.</p></body></html>"
        return MailMessage(to: to, subject: "\(site): \(visitors) visitors in \(name)", text: text, html: html)
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? "\(total / 60)m \(total % 60 < 10 ? "0" : "")\(total % 60)s" : "\(total)s"
    }

    static func change(_ metric: Metric, _ value: Double?) -> String {
        guard let value else { return "" }
        let sign = value >= 0 ? "+" : "−"
        return metric == .bounceRate
            ? "\(sign)\(String(format: "%.1f", abs(value))) pts" : "\(sign)\(Int(abs(value).rounded()))%"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
