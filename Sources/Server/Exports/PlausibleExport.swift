import Foundation
import Projections
import Query

/// A site's numbers per day in the tables of Plausible's CSV export (the zip its "Imports &
/// exports" page makes and reads): `imported_visitors`, `_sources`, `_pages`, `_entry_pages`,
/// `_exit_pages`, `_custom_events`, `_locations`, `_devices`, `_browsers` and
/// `_operating_systems`, each named `imported_TABLE_FIRST_LAST.csv` with a header line. Every number
/// comes from the query engine; nothing about a single visitor is in it.
///
/// Each table is broken down by one dimension, so the fields Plausible keeps beside it are empty:
/// a source row has no referrer or UTM values, a location no region or city, a page its site's
/// host name. Bounces and visit durations are totals (seconds), as Plausible's tables hold them.
public enum PlausibleExport {
    /// One table: its name, the dimension its rows are by (nil: one row a day), and its columns.
    struct Table {
        let name: String
        let dimension: Projections.Dimension?
        let columns: [String]
    }

    static let tables: [Table] = [
        Table(
            name: "visitors", dimension: nil,
            columns: ["date", "visitors", "pageviews", "bounces", "visits", "visit_duration"]),
        Table(
            name: "sources", dimension: .source,
            columns: [
                "date", "source", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
                "pageviews", "visitors", "visits", "visit_duration", "bounces",
            ]),
        Table(
            name: "pages", dimension: .page,
            columns: [
                "date", "hostname", "page", "visits", "visitors", "pageviews", "scroll_depth", "pageleave_visitors",
            ]),
        Table(
            name: "entry_pages", dimension: .entryPage,
            columns: ["date", "entry_page", "visitors", "entrances", "visit_duration", "bounces", "pageviews"]),
        Table(
            name: "exit_pages", dimension: .exitPage,
            columns: ["date", "exit_page", "visitors", "visit_duration", "exits", "bounces", "pageviews"]),
        Table(
            name: "custom_events", dimension: .goal,
            columns: ["date", "name", "link_url", "path", "visitors", "events"]),
        Table(
            name: "locations", dimension: .country,
            columns: [
                "date", "country", "region", "city", "visitors", "visits", "visit_duration", "bounces", "pageviews",
            ]),
        Table(
            name: "devices", dimension: .device,
            columns: ["date", "device", "visitors", "visits", "visit_duration", "bounces", "pageviews"]),
        Table(
            name: "browsers", dimension: .browserVersion,
            columns: [
                "date", "browser", "browser_version", "visitors", "visits", "visit_duration", "bounces", "pageviews",
            ]),
        Table(
            name: "operating_systems", dimension: .osVersion,
            columns: [
                "date", "operating_system", "operating_system_version", "visitors", "visits", "visit_duration",
                "bounces",
                "pageviews",
            ]),
    ]

    /// The zip of every table for `days` (site-local day numbers) of `site`.
    public static func zip(site: String, days: ClosedRange<Int64>, engine: QueryEngine) throws -> [UInt8] {
        let range = DateRange.custom(from: days.lowerBound, to: days.upperBound)
        let metrics: [Metric] = [.visitors, .visits, .pageviews, .events, .bounceRate, .visitDuration]
        let suffix = "_\(compact(days.lowerBound))_\(compact(days.upperBound)).csv"
        // Families, to split `Chrome 131` into `Chrome` and `131` (a family may hold a space).
        func families(_ dimension: Projections.Dimension) throws -> [String] {
            try engine.run(
                QueryRequest(site: site, dateRange: range, metrics: [.visitors], dimensions: [.dimension(dimension)])
            )
            .rows.compactMap(\.dimensions.first).sorted { $0.count > $1.count }
        }
        let browsers = try families(.browser), systems = try families(.os)
        func split(_ value: String, _ families: [String]) -> (String, String) {
            guard let family = families.first(where: { value == $0 || value.hasPrefix($0 + " ") }) else {
                return (value, "")
            }
            return (family, String(value.dropFirst(family.count)).trimmingCharacters(in: .whitespaces))
        }
        var archive = ZipWriter()
        for table in tables {
            var request = QueryRequest(site: site, dateRange: range, metrics: metrics, dimensions: [.time(.day)])
            if let dimension = table.dimension { request.dimensions.append(.dimension(dimension)) }
            let rows = try engine.run(request).rows
            var csv = CSVWriter(capacity: 64 + rows.count * 48)
            for column in table.columns { csv.field(column) }
            csv.endLine()
            for row in rows {
                let numbers = row.metrics.map { $0 ?? 0 }
                let (visitors, visits, pageviews, events) = (numbers[0], numbers[1], numbers[2], numbers[3])
                guard visitors > 0 else { continue }  // an empty day of the daily series
                let bounces = (numbers[4] / 100 * visits).rounded()
                let duration = (numbers[5] * visits).rounded()
                let value = row.dimensions.count > 1 ? row.dimensions[1] : ""
                var fields: [String: Double] = [
                    "visitors": visitors, "visits": visits, "pageviews": pageviews, "events": events,
                    "bounces": bounces,
                    "visit_duration": duration, "entrances": visits, "exits": visits, "pageleave_visitors": 0,
                    "city": 0,
                ]
                var texts: [String: String] = ["date": row.dimensions[0], "hostname": site]
                switch table.name {
                case "browsers": (texts["browser"], texts["browser_version"]) = split(value, browsers)
                case "operating_systems":
                    (texts["operating_system"], texts["operating_system_version"]) = split(value, systems)
                case "custom_events": texts["name"] = value
                case "pages": texts["page"] = value
                case "visitors": break
                default: texts[table.columns[1]] = value  // the dimension's own column, after the date
                }
                for column in table.columns {
                    if let text = texts[column] {
                        csv.field(text)
                    } else if column == "scroll_depth" {
                        csv.number(nil)
                    } else if let number = fields.removeValue(forKey: column) {
                        csv.number(number)
                    } else {
                        csv.field("")
                    }
                }
                csv.endLine()
            }
            try archive.add("imported_" + table.name + suffix, csv.bytes)
        }
        return archive.finish()
    }

    /// `20261101` for a day number.
    static func compact(_ day: Int64) -> String { DayKey.isoDate(day).replacingOccurrences(of: "-", with: "") }
}
