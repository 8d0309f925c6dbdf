import Foundation
import Journal
import Projections

/// The rollup numbers computed the plainest way possible, to check the real fold against: local
/// time from Foundation's `Calendar`, visits by sorting, and distinct counts with `Set`s.
enum ReferenceFold {
    struct Cell {
        var visitors = Set<UInt64>()
        var visits: [Int: (bounce: Bool, duration: Int64)] = [:]
        var pageviews: Int64 = 0
        var events: Int64 = 0
        var revenue: Int64 = 0
        var engagements: Int64 = 0
        var engagedSeconds: Int64 = 0
        var scrollDepth: Int64 = 0

        var metrics: Metrics {
            var metrics = Metrics(
                visitors: Int64(visitors.count), visits: Int64(visits.count), pageviews: pageviews, events: events,
                bounces: Int64(visits.values.filter(\.bounce).count),
                duration: visits.values.reduce(0) { $0 + $1.duration }, revenue: revenue)
            metrics.engagements = engagements
            metrics.engagedSeconds = engagedSeconds
            metrics.scrollDepth = scrollDepth
            return metrics
        }
    }

    /// `[day: [dimension name or "total": [key: [hour: metrics]]]]`, hour 24 = whole day.
    typealias Result = [DayKey: [String: [String: [Int: Metrics]]]]

    /// With `matching`, only hits it accepts are counted (given the hit and its visit's keys by
    /// dimension name); visits are still cut from all hits. Engagement reports take no part in
    /// visits: each belongs to the visit of its visitor that began last at or before it (none:
    /// it counts nowhere), and the matching reports of one page in one visit count once, their
    /// seconds summed and their deepest scroll kept, in the hour of the first of them.
    static func fold(
        _ hits: [Hit], zones: [String: TimeZone], matching: ((Hit, [String: String]) -> Bool)? = nil
    ) -> Result {
        struct Local {
            let sequence: Int
            let hit: Hit
            let day: Int64
            let hour: Int
        }
        var groups: [String: [Local]] = [:]  // "site day visitor"
        for (sequence, hit) in hits.enumerated() {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zones[hit.site] ?? TimeZone(identifier: "UTC")!
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour], from: Date(timeIntervalSince1970: Double(hit.timestamp) / 1000))
            let iso = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            let local = Local(sequence: sequence, hit: hit, day: DayKey.day(fromISODate: iso)!, hour: parts.hour!)
            groups["\(hit.site) \(local.day) \(hit.visitorID)", default: []].append(local)
        }
        var cells: [DayKey: [String: [String: [Int: Cell]]]] = [:]
        var visitNumber = 0
        for (_, group) in groups {
            let sorted = group.sorted { ($0.hit.timestamp, $0.sequence) < ($1.hit.timestamp, $1.sequence) }
            var visits: [[Local]] = []
            let reports = sorted.filter { $0.hit.name == Hit.engagement }
            for local in sorted where local.hit.name != Hit.engagement {
                if let last = visits.last?.last, local.hit.timestamp - last.hit.timestamp <= 30 * 60_000 {
                    visits[visits.count - 1].append(local)
                } else {
                    visits.append([local])
                }
            }
            for visit in visits {
                visitNumber += 1
                let pageviews = visit.filter { $0.hit.isPageview }
                let interactive = visit.filter { !$0.hit.isPageview && !$0.hit.flags.contains(.nonInteractive) }
                let bounce = pageviews.count == 1 && interactive.isEmpty
                let duration = visit.last!.hit.timestamp - visit.first!.hit.timestamp
                let first = visit.first!.hit
                let entry = (pageviews.first ?? visit.first!).hit.pathname
                let exit = (pageviews.last ?? visit.last!).hit.pathname
                func versioned(_ family: String, _ version: String) -> String {
                    family.isEmpty || version.isEmpty ? family : "\(family) \(version)"
                }
                let visitKeys: [(String, String)] = [
                    ("entry_page", entry), ("exit_page", exit), ("source", first.source),
                    ("referrer", first.referrer), ("channel", first.channel.description),
                    ("utm_source", first.utm.source), ("utm_medium", first.utm.medium),
                    ("utm_campaign", first.utm.campaign), ("utm_content", first.utm.content),
                    ("utm_term", first.utm.term), ("country", first.country), ("browser", first.browser),
                    ("browser_version", versioned(first.browser, first.browserVersion)), ("os", first.os),
                    ("os_version", versioned(first.os, first.osVersion)), ("device", first.device.description),
                    ("screen", first.screen.description), ("total", ""),
                ]
                let sessionValues = Dictionary(uniqueKeysWithValues: visitKeys)
                // This visit's reports: those whose latest visit start at or before them is this one.
                let next = visits.first { $0.first!.hit.timestamp > visit.first!.hit.timestamp }
                let mine = reports.filter { report in
                    report.hit.timestamp >= visit.first!.hit.timestamp
                        && (next.map { report.hit.timestamp < $0.first!.hit.timestamp } ?? true)
                }
                var units: [String: (first: Local, seconds: Int64, scroll: Int64)] = [:]
                for report in mine {
                    var plain = report.hit
                    plain.props = []
                    if let matching, !matching(plain, sessionValues) { continue }
                    let value = { (key: String) in Int64(report.hit.props.first { $0.key == key }?.value ?? "") ?? 0 }
                    var unit = units[report.hit.pathname] ?? (report, 0, 0)
                    unit.seconds += value(Hit.engagedProperty)
                    unit.scroll = max(unit.scroll, value(Hit.scrollProperty))
                    units[report.hit.pathname] = unit
                }
                for unit in units.values {
                    let day = DayKey(site: unit.first.hit.site, day: unit.first.day)
                    let keys = visitKeys + [("page", unit.first.hit.pathname), ("hostname", unit.first.hit.hostname)]
                    for (dimension, key) in keys {
                        for hour in [unit.first.hour, 24] {
                            var cell =
                                cells[day, default: [:]][dimension, default: [:]][key, default: [:]][hour] ?? Cell()
                            cell.engagements += 1
                            cell.engagedSeconds += unit.seconds
                            cell.scrollDepth += unit.scroll
                            cells[day, default: [:]][dimension, default: [:]][key, default: [:]][hour] = cell
                        }
                    }
                }
                for local in visit {
                    let hit = local.hit
                    if let matching, !matching(hit, sessionValues) { continue }
                    var keys = visitKeys + [("page", hit.pathname), ("hostname", hit.hostname)]
                    if !hit.isPageview { keys.append(("goal", hit.name)) }
                    for property in hit.props {
                        keys.append(("prop_key", property.key))
                        keys.append(("prop", "\(property.key)=\(property.value)"))
                    }
                    if let revenue = hit.revenue { keys.append(("currency", revenue.currency)) }
                    let day = DayKey(site: hit.site, day: local.day)
                    for (dimension, key) in keys {
                        for hour in [local.hour, 24] {
                            var cell =
                                cells[day, default: [:]][dimension, default: [:]][key, default: [:]][hour] ?? Cell()
                            cell.visitors.insert(hit.visitorID)
                            cell.visits[visitNumber] = (bounce, duration)
                            if hit.isPageview { cell.pageviews += 1 } else { cell.events += 1 }
                            cell.revenue += hit.revenue?.amount ?? 0
                            cells[day, default: [:]][dimension, default: [:]][key, default: [:]][hour] = cell
                        }
                    }
                }
            }
        }
        return cells.mapValues { $0.mapValues { $0.mapValues { $0.mapValues(\.metrics) } } }
    }

    /// Only the whole-day cells of dimensions and every total cell: what a stored rollup keeps.
    static func stored(_ result: Result) -> Result {
        result.mapValues { day in
            Dictionary(
                uniqueKeysWithValues: day.map { dimension, values in
                    (dimension, dimension == "total" ? values : values.mapValues { $0.filter { $0.key == 24 } })
                })
        }
    }

    /// The same shape, read from a rollup.
    static func shape(of rollup: DayRollup) -> [String: [String: [Int: Metrics]]] {
        var result: [String: [String: [Int: Metrics]]] = [:]
        for (hour, metrics) in rollup.totals.enumerated() where !metrics.isEmpty {
            result["total", default: [:]]["", default: [:]][hour] = metrics
        }
        for dimension in Dimension.allCases {
            let table = rollup[dimension]
            for row in table.rows {
                result[dimension.description, default: [:]][table.keys[Int(row.key)], default: [:]][Int(row.hour)] =
                    row.metrics
            }
        }
        return result
    }
}
