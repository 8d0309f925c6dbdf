import Foundation
import Journal
import Projections
import Query

/// Counts days from the hits replicated into ClickHouse (all nodes'), so that ``QueryEngine``
/// answers the same questions from there: `infinity query --clickhouse`, and the Stats API and
/// dashboard of `serve --query-from clickhouse`.
///
/// Each question becomes one `SELECT` (``ClickHouseQuery``); ClickHouse stops it after the
/// question's time budget. Answers cover what has been replicated, so they trail the nodes'
/// journals by the replication lag (`/metrics`: `infinity_replication_lag_records`).
public struct ClickHouseDayCounter: DayCounter {
    /// The server (or cluster) and database queried.
    public let cluster: ClickHouseCluster

    /// A counter over the hits replicated into `cluster`.
    public init(cluster: ClickHouseCluster) { self.cluster = cluster }

    private var client: ClickHouseClient { cluster.first }
    private var table: String { cluster.readTable }

    /// The day rollups a question needs, counted by ClickHouse from the replicated hits.
    public func count(_ question: DayQuestion) throws -> CountedDays {
        if let metric = question.request.metrics.first(where: { $0 == .timeOnPage || $0 == .scrollDepth }) {
            throw ServerError(
                "\(metric.rawValue) is counted by the embedded engine only; this answer comes from ClickHouse",
                code: "unsupported", hint: "Ask without --clickhouse, on a node that holds the journal")
        }
        if question.request.filter?.hasSequence == true {
            throw ServerError(
                "funnels and scroll-depth goals are counted by the embedded engine only; this answer comes from ClickHouse",
                code: "unsupported",
                hint: "Run `infinity query SITE --funnel NAME` without --clickhouse, on a node that holds the journal")
        }
        let query = ClickHouseQuery(question, table: table)
        let text = try run(query.sql, seconds: question.timeBudget)
        var cells: [Int64: [Int: [String: [UInt8: Metrics]]]] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 11, let tag = Int(fields[0]), let day = Int64(fields[2]),
                let hour = UInt8(fields[3])
            else {
                throw ServerError("ClickHouse answered a row this version cannot read: \(line.prefix(200))")
            }
            let numbers = fields[4...].map { Int64($0) ?? 0 }
            let metrics = Metrics(
                visitors: numbers[0], visits: numbers[1], pageviews: numbers[2], events: numbers[3],
                bounces: numbers[4], duration: numbers[5], revenue: numbers[6])
            cells[day, default: [:]][tag, default: [:]][ClickHouseSQL.unescape(fields[1]), default: [:]][hour] =
                metrics
        }
        var days: [Int64: DayRollup] = [:]
        for (day, tables) in cells {
            var rollup = DayRollup(site: question.request.site, day: day, position: 0)
            for (tag, values) in tables {
                guard let dimension = ClickHouseQuery.dimension(tag: tag) else {
                    for (hour, metrics) in values["", default: [:]] where Int(hour) <= DayRollup.wholeDay {
                        rollup.totals[Int(hour)] = metrics
                    }
                    continue
                }
                let keys = values.keys.sorted()
                var rows: [DimensionTable.Row] = []
                for (index, key) in keys.enumerated() {
                    for (hour, metrics) in values[key]!.sorted(by: { $0.key < $1.key }) {
                        rows.append(DimensionTable.Row(key: UInt32(index), hour: hour, metrics: metrics))
                    }
                }
                rollup[dimension] = DimensionTable(keys: keys, rows: rows)
            }
            days[day] = rollup
        }
        return CountedDays(days: days, path: "clickhouse")
    }

    /// The site-local day of the site's first replicated hit.
    public func firstDay(site: String, clock: LocalClock) throws -> Int64? {
        let text = try run(
            "SELECT count(), min(time_ms) FROM \(table) WHERE site = \(ClickHouseSQL.string(site)) FORMAT TabSeparated",
            seconds: 30)
        let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t")
        guard fields.count == 2, let count = Int(fields[0]), count > 0, let first = Int64(fields[1]) else {
            return nil
        }
        var clock = clock
        return clock.day(of: first)
    }

    /// Distinct visitors of the site with a hit in `window` (ms UTC).
    public func visitors(site: String, in window: Range<Int64>) throws -> Int {
        let from = DayKey.isoDate(LocalClock.floorDivide(window.lowerBound, LocalClock.dayLength))
        let to = DayKey.isoDate(LocalClock.floorDivide(window.upperBound, LocalClock.dayLength))
        let text = try run(
            """
            SELECT uniqExact(bitAnd(visitor_id, \(Hit.visitorIDMask))) FROM \(table)
            WHERE site = \(ClickHouseSQL.string(site)) AND date BETWEEN toDate('\(from)') AND toDate('\(to)')
              AND time_ms >= \(window.lowerBound) AND time_ms < \(window.upperBound)
            FORMAT TabSeparated
            """, seconds: 10)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Runs `sql`, turning ClickHouse's failures into query errors the caller shows as they are.
    private func run(_ sql: String, seconds: Double) throws -> String {
        do {
            return try client.select(sql, seconds: seconds)
        } catch let error as ServerError {
            throw QueryError(.storage, error.description)
        }
    }
}
