import Journal
import Projections
import Query

/// A ``DayQuestion`` as one ClickHouse `SELECT` over the replicated hits, with the definitions of
/// Docs/projections.md: visits cut after 30 minutes without a hit within one visitor's local day,
/// a visit's source, device and so on from its first hit, entry and exit from its first and last
/// page view, bounce and duration per visit, and the filter tested on each hit after the visits
/// were cut.
///
/// ClickHouse 18.16 (Debian's package) has no window functions and no common table expressions
/// over subqueries, so the visits are cut with arrays, in one pass over each visitor's day:
/// 1. the visitor's hits of one local day as arrays sorted by (time, node, sequence); the visit
///    number of each hit by `arrayCumSum` over the gaps; each visit's first and last position, and
///    from them (with running sums of page views, interactive events and revenue) its page views,
///    bounce, duration, and the values of its first hit, entry and exit page — all linear in the
///    visitor's hits, without grouping again;
/// 2. when the question needs only the visits' values (no hit dimension, no hourly cells, no
///    per-hit condition), one row per visit; otherwise one row per hit carrying its visit's values,
///    filtered and counted once per visit and cell;
/// 3. summed per cell: distinct visitors, visits, page views, events, bounces, duration, revenue.
///
/// The answer is one TabSeparated row per cell: table tag, key, local day, hour, and the seven
/// numbers of ``Metrics``. Engagement reports change none of them (Docs/projections.md), so they
/// are left out; time on page and scroll depth are counted by the embedded engine only.
struct ClickHouseQuery {
    /// The statement.
    let sql: String

    /// Compiles `question` against `table` (`database.table`).
    init(_ question: DayQuestion, table: String) {
        let request = question.request
        let zone = ClickHouseSQL.string(question.zone.identifier)
        let filterDimensions = request.filter.map { Self.dimensions(in: $0) } ?? []
        let wanted = question.dimensions.union(filterDimensions)
        let hitColumns = Self.hitColumns(for: wanted)
        let sessionDimensions = Dimension.allCases.filter { wanted.contains($0) && $0.isSessionLevel }
        var hitConditions: [String] = []
        if case .instants(let from, let to) = request.dateRange {
            hitConditions.append("h_time >= \(from) AND h_time < \(to)")
        }
        if !request.includeImported { hitConditions.append("bitAnd(h_flags, \(HitFlags.imported.rawValue)) = 0") }
        // Visits alone answer the question when nothing in it looks at single hits.
        let perVisit = hitConditions.isEmpty && !question.hourly && wanted.allSatisfy(\.isSessionLevel)

        // Step 1: the site's hits of the wanted local days, per visitor and day, in time order,
        // with their visits.
        let firstDay = question.days.map(\.lowerBound).min() ?? 0
        let lastDay = question.days.map(\.upperBound).max() ?? 0
        var perHit: [(alias: String, expression: String)] = [
            ("c_time", "time_ms"), ("c_node", "node"), ("c_sequence", "sequence"), ("c_name", "name"),
            ("c_flags", "flags"), ("c_revenue", "revenue_amount"),
        ]
        for column in hitColumns.union(sessionDimensions.flatMap(Self.sourceColumns)).sorted() {
            perHit.append(("c_" + column, column))
        }
        for dimension in sessionDimensions {
            if let expression = Self.firstHitExpression(dimension) {
                perHit.append(("c_" + Self.name(dimension), expression))
            }
        }
        let carried = perHit.map { String($0.alias.dropFirst(2)) }.filter { $0 != "node" && $0 != "sequence" }
        let order = "groupArray((c_time, c_node, c_sequence))"
        let pageview = "'\(Hit.pageview)'"
        var visitValues = [
            // Where each visit starts and ends (positions in the sorted arrays).
            "arrayCumSum(arrayMap((gap, i) -> if(i = 1 OR gap > \(DayFolder.sessionTimeout), 1, 0), arrayDifference(a_time), arrayEnumerate(a_time))) AS a_visit",
            "arrayFilter((i, p) -> p = 1, arrayEnumerate(a_visit), arrayEnumerateUniq(a_visit)) AS v_start",
            "arrayMap(i -> if(less(i, length(v_start)), toUInt64(minus(arrayElement(v_start, plus(i, 1)), 1)), toUInt64(length(a_time))), arrayEnumerate(v_start)) AS v_end",
            // Running sums; a visit's count is the difference at its ends (element 0 reads as 0).
            "arrayCumSum(arrayMap(n -> toUInt64(n = \(pageview)), a_name)) AS r_pageviews",
            "arrayCumSum(arrayMap((n, f) -> toUInt64(n != \(pageview) AND bitAnd(f, 1) = 0), a_name, a_flags)) AS r_interactive",
            "arrayMap((s, e) -> toUInt64(minus(arrayElement(r_pageviews, e), arrayElement(r_pageviews, minus(s, 1)))), v_start, v_end) AS v_pageviews",
            "arrayMap((s, e, p) -> toUInt64(and(equals(p, 1), equals(arrayElement(r_interactive, e), arrayElement(r_interactive, minus(s, 1))))), v_start, v_end, v_pageviews) AS v_bounce",
            "arrayMap((s, e) -> minus(arrayElement(a_time, e), arrayElement(a_time, s)), v_start, v_end) AS v_duration",
        ]
        if perVisit {
            visitValues += [
                "arrayCumSum(a_revenue) AS r_revenue",
                "arrayMap((s, e, p) -> toUInt64(minus(toUInt64(plus(minus(e, s), 1)), p)), v_start, v_end, v_pageviews) AS v_events",
                "arrayMap((s, e) -> minus(arrayElement(r_revenue, e), arrayElement(r_revenue, minus(s, 1))), v_start, v_end) AS v_revenue",
            ]
        }
        for dimension in sessionDimensions {
            let name = Self.name(dimension)
            switch dimension {
            case .entryPage:
                // The first page view: where the running count first passes the count before the visit.
                visitValues.append(
                    "arrayMap((s, p) -> arrayElement(a_pathname, if(greater(p, 0), indexOf(r_pageviews, plus(arrayElement(r_pageviews, minus(s, 1)), 1)), s)), v_start, v_pageviews) AS v_\(name)"
                )
            case .exitPage:
                // The last page view: where the running count first reaches its value at the visit's end.
                visitValues.append(
                    "arrayMap((e, p) -> arrayElement(a_pathname, if(greater(p, 0), indexOf(r_pageviews, arrayElement(r_pageviews, e)), e)), v_end, v_pageviews) AS v_\(name)"
                )
            default:
                visitValues.append("arrayMap(s -> arrayElement(a_\(name), s), v_start) AS v_\(name)")
            }
        }
        // Always true; it names every array, because ClickHouse 18.16 drops columns that only
        // lambdas read from a subquery's inputs ("Not found column … in block").
        let days = question.days.map { "day BETWEEN \($0.lowerBound) AND \($0.upperBound)" }.joined(separator: " OR ")
        // Rows replicated by builds before 48-bit visitor ids hold whole hashes: cut like the
        // journal's readers cut them, a visitor seen before and after an upgrade stays one.
        let step1 = """
            SELECT day, vid AS visitor_id,
              \(carried.map { "arraySort((x, y) -> y, groupArray(c_\($0)), \(order)) AS a_\($0)" }.joined(separator: ",\n  ")),
              \(visitValues.joined(separator: ",\n  "))
            FROM (
              SELECT toUInt32(toDate(toDateTime(intDiv(time_ms, 1000)), \(zone))) AS day,
                bitAnd(visitor_id, \(Hit.visitorIDMask)) AS vid,
                \(perHit.map { "\($0.expression) AS \($0.alias)" }.joined(separator: ", "))
              FROM \(table)
              WHERE site = \(ClickHouseSQL.string(request.site)) AND name != '\(Hit.engagement)'
                AND date BETWEEN toDate('\(DayKey.isoDate(firstDay - 1))') AND toDate('\(DayKey.isoDate(lastDay + 1))')
            )
            WHERE \(days)
            GROUP BY day, vid
            HAVING \(carried.map { "notEmpty(a_\($0))" }.joined(separator: " AND "))
            """

        // Step 2: rows of visits, or of hits with their visit's values; filtered; their cells.
        var conditions = hitConditions
        if let filter = request.filter { conditions.append(Self.condition(filter)) }
        let hour = "toUInt8(toHour(toDateTime(intDiv(h_time, 1000)), \(zone)))"
        var cells = ["[(toUInt8(0), '', toUInt8(\(DayRollup.wholeDay)))]"]
        if question.hourly { cells.append("[(toUInt8(0), '', \(hour))]") }
        for dimension in Dimension.allCases where question.dimensions.contains(dimension) {
            var keys = Self.keys(dimension)
            if dimension == .property, let key = request.breakdownPropertyKey {
                keys = "arrayFilter(p -> position(p, \(ClickHouseSQL.string(key + "="))) = 1, \(keys))"
            }
            let tag = Int(dimension.rawValue) + 1
            cells.append("arrayMap(k -> (toUInt8(\(tag)), k, toUInt8(\(DayRollup.wholeDay))), \(keys))")
            if question.hourly { cells.append("arrayMap(k -> (toUInt8(\(tag)), k, \(hour)), \(keys))") }
        }
        let sessionColumns = sessionDimensions.map { "s_\(Self.name($0))" }
        let filtered = conditions.isEmpty ? "" : "WHERE " + conditions.map { "(\($0))" }.joined(separator: " AND ")
        let counted: String
        if perVisit {
            // One row per visit: each visit counts once in each of its cells.
            let joined =
                [
                    "v_pageviews AS pageviews", "v_events AS events", "v_bounce AS bounce", "v_duration AS duration",
                    "v_revenue AS revenue",
                ] + sessionColumns.map { "v_\($0.dropFirst(2)) AS \($0)" }
            counted = """
                SELECT cell.1 AS tag, cell.2 AS key, day, cell.3 AS hour, visitor_id, pageviews, events, bounce,
                  duration, revenue
                FROM (
                  SELECT day, visitor_id, pageviews, events, bounce, duration, revenue,
                    arrayConcat(\(cells.joined(separator: ", "))) AS cells
                  FROM (\(step1))
                  ARRAY JOIN \(joined.joined(separator: ", "))
                  \(filtered)
                ) ARRAY JOIN cells AS cell
                """
        } else {
            // One row per hit with its visit's values; a visit counts once per cell it has a hit in.
            let kept = ["time", "name", "flags", "revenue"] + hitColumns.sorted()
            let joined = kept.map { "a_\($0) AS h_\($0)" } + ["a_visit AS visit"]
            let values =
                ["arrayElement(v_bounce, visit) AS s_bounce", "arrayElement(v_duration, visit) AS s_duration"]
                + sessionColumns.map { "arrayElement(v_\($0.dropFirst(2)), visit) AS \($0)" }
            counted = """
                SELECT cell.1 AS tag, cell.2 AS key, day, cell.3 AS hour, visitor_id, visit,
                  any(s_bounce) AS bounce, any(s_duration) AS duration, countIf(pageview) AS pageviews,
                  countIf(NOT pageview) AS events, sum(revenue) AS revenue
                FROM (
                  SELECT day, visitor_id, visit, s_bounce, s_duration, h_name = \(pageview) AS pageview,
                    h_revenue AS revenue, arrayConcat(\(cells.joined(separator: ", "))) AS cells
                  FROM (
                    SELECT day, visitor_id, \((kept.map { "h_\($0)" } + ["visit"]).joined(separator: ", ")),
                      \(values.joined(separator: ", "))
                    FROM (\(step1))
                    ARRAY JOIN \(joined.joined(separator: ", "))
                  )
                  \(filtered)
                ) ARRAY JOIN cells AS cell
                GROUP BY tag, key, day, hour, visitor_id, visit
                """
        }

        // Step 3: per cell.
        sql = """
            SELECT tag, key, day, hour, uniqExact(visitor_id), count(), sum(pageviews), sum(events), sum(bounce),
              sum(duration), sum(revenue)
            FROM (\(counted))
            GROUP BY tag, key, day, hour
            FORMAT TabSeparated
            """
    }

    /// The table a result row's tag stands for: nil for the totals.
    static func dimension(tag: Int) -> Dimension? { tag == 0 ? nil : Dimension(rawValue: UInt8(tag - 1)) }

    /// The dimensions a filter tests.
    static func dimensions(in filter: Filter) -> Set<Dimension> {
        switch filter {
        case .compare(let comparison): [comparison.dimension]
        case .and(let parts), .or(let parts), .sequence(let parts):
            parts.reduce(into: []) { $0.formUnion(dimensions(in: $1)) }
        case .not(let part): dimensions(in: part)
        case .scrolled: []
        }
    }

    /// A name safe in column aliases.
    private static func name(_ dimension: Dimension) -> String { dimension.description }

    /// The stored columns the hit dimensions among `dimensions` read, kept on every hit to the end.
    private static func hitColumns(for dimensions: Set<Dimension>) -> Set<String> {
        var columns = Set<String>()
        for dimension in dimensions {
            switch dimension {
            case .page: columns.insert("pathname")
            case .hostname: columns.insert("hostname")
            case .currency: columns.insert("revenue_currency")
            case .propertyKey, .property: columns.formUnion(["prop_keys", "prop_values"])
            default: break
            }
        }
        return columns
    }

    /// Stored columns a visit dimension is computed from (read in step 1 only).
    private static func sourceColumns(_ dimension: Dimension) -> [String] {
        switch dimension {
        case .entryPage, .exitPage: ["pathname"]
        default: []
        }
    }

    /// The value of a visit dimension on one hit (the visit takes its first hit's).
    private static func firstHitExpression(_ dimension: Dimension) -> String? {
        switch dimension {
        case .source, .referrer, .utmSource, .utmMedium, .utmCampaign, .utmContent, .utmTerm, .country, .browser,
            .os:
            return dimension.description
        case .channel: return ClickHouseSQL.names("channel", Channel.self)
        case .device: return ClickHouseSQL.names("device", DeviceClass.self)
        case .screen: return ClickHouseSQL.names("screen", ScreenClass.self)
        case .browserVersion:
            return "if(browser = '' OR browser_version = '', browser, concat(browser, ' ', browser_version))"
        case .osVersion: return "if(os = '' OR os_version = '', os, concat(os, ' ', os_version))"
        default: return nil
        }
    }

    /// The values a hit counts under for `dimension`, as an array of strings (empty: none).
    private static func keys(_ dimension: Dimension) -> String {
        switch dimension {
        case .page: "[h_pathname]"
        case .hostname: "[h_hostname]"
        case .goal: "if(h_name != '\(Hit.pageview)', [h_name], emptyArrayString())"
        case .currency: "if(h_revenue_currency != '', [h_revenue_currency], emptyArrayString())"
        case .propertyKey: "h_prop_keys"
        case .property: "arrayMap((k, v) -> concat(k, '=', v), h_prop_keys, h_prop_values)"
        default: "[s_\(name(dimension))]"
        }
    }

    /// A filter as a condition on one hit (with its visit's values).
    static func condition(_ filter: Filter) -> String {
        switch filter {
        case .and(let parts): return parts.isEmpty ? "1" : "(" + parts.map(condition).joined(separator: " AND ") + ")"
        case .or(let parts): return parts.isEmpty ? "0" : "(" + parts.map(condition).joined(separator: " OR ") + ")"
        case .not(let part): return "NOT " + condition(part)
        case .sequence, .scrolled: return "0"  // refused before a query is built (ClickHouseDayCounter.count)
        case .compare(let comparison):
            let positive: String
            switch comparison.dimension {
            case .propertyKey:
                positive = "arrayExists(x -> \(test(comparison, "x")), h_prop_keys)"
            case .property:
                if let key = comparison.propertyKey {
                    positive =
                        "arrayExists((k, v) -> k = \(ClickHouseSQL.string(key)) AND \(test(comparison, "v")), h_prop_keys, h_prop_values)"
                } else {
                    positive = "arrayExists(x -> \(test(comparison, "x")), \(keys(.property)))"
                }
            case .goal: positive = "(h_name != '\(Hit.pageview)' AND \(test(comparison, "h_name")))"
            case .currency:
                positive = "(h_revenue_currency != '' AND \(test(comparison, "h_revenue_currency")))"
            case .page: positive = test(comparison, "h_pathname")
            case .hostname: positive = test(comparison, "h_hostname")
            default: positive = test(comparison, "s_" + name(comparison.dimension))
            }
            return comparison.op.isNegated ? "NOT \(positive)" : positive
        }
    }

    /// Whether `value` satisfies the comparison's operator, positively.
    private static func test(_ comparison: Filter.Comparison, _ value: String) -> String {
        let values = comparison.values
        guard !values.isEmpty else { return "0" }
        switch comparison.op {
        case .is, .isNot:
            return "(\(value) IN \(ClickHouseSQL.list(values)))"
        case .contains, .containsNot:
            return "("
                + values.map { "positionCaseInsensitiveUTF8(\(value), \(ClickHouseSQL.string($0))) > 0" }
                .joined(separator: " OR ") + ")"
        case .matches, .matchesNot:
            return "(" + values.map { "match(\(value), \(ClickHouseSQL.string($0)))" }.joined(separator: " OR ") + ")"
        }
    }
}
