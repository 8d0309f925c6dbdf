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
/// over subqueries, so the visits are cut with arrays instead, in nested steps:
/// 1. each visitor's hits of one local day as arrays sorted by (time, node, sequence), the visit
///    number of each hit by `arrayCumSum` over the gaps;
/// 2. back to one row per hit (`ARRAY JOIN`), grouped per visit: the visit's values (`argMin` by
///    position), bounce, duration, and its hits as arrays again;
/// 3. one row per hit with its visit's values, filtered, expanded into the cells it counts in
///    (totals, a dimension value, an hour);
/// 4. summed per cell and visit, then per cell: distinct visitors, visits, and the rest.
///
/// The answer is one TabSeparated row per cell: table tag, key, local day, hour, and the seven
/// numbers of ``Metrics``.
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

        // Step 1: the site's hits of the wanted local days, per visitor and day, in time order.
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
        let carried = perHit.map(\.alias).filter { $0 != "c_node" && $0 != "c_sequence" }
        let order = "groupArray((c_time, c_node, c_sequence))"
        let days = question.days.map { "day BETWEEN \($0.lowerBound) AND \($0.upperBound)" }.joined(separator: " OR ")
        let step1 = """
            SELECT day, visitor_id,
              \(carried.map { "arraySort((x, y) -> y, groupArray(\($0)), \(order)) AS a_\($0.dropFirst(2))" }.joined(separator: ",\n  ")),
              arrayCumSum(arrayMap((gap, i) -> if(i = 1 OR gap > \(DayFolder.sessionTimeout), 1, 0),
                arrayDifference(a_time), arrayEnumerate(a_time))) AS a_visit
            FROM (
              SELECT toUInt32(toDate(toDateTime(intDiv(time_ms, 1000)), \(zone))) AS day, visitor_id,
                \(perHit.map { "\($0.expression) AS \($0.alias)" }.joined(separator: ", "))
              FROM \(table)
              WHERE site = \(ClickHouseSQL.string(request.site))
                AND date BETWEEN toDate('\(DayKey.isoDate(firstDay - 1))') AND toDate('\(DayKey.isoDate(lastDay + 1))')
            )
            WHERE \(days)
            GROUP BY day, visitor_id
            """

        // Step 2: one row per hit, grouped per visit.
        let unfolded: [(array: String, alias: String)] =
            carried.map { ("a_\($0.dropFirst(2))", $0) } + [("a_visit", "visit"), ("arrayEnumerate(a_time)", "ord")]
        let pageview = "c_name = '\(Hit.pageview)'"
        var visitValues = sessionDimensions.map { dimension -> String in
            let name = Self.name(dimension)
            switch dimension {
            case .entryPage:
                return
                    "if(countIf(\(pageview)) > 0, argMinIf(c_pathname, ord, \(pageview)), argMin(c_pathname, ord)) AS s_\(name)"
            case .exitPage:
                return
                    "if(countIf(\(pageview)) > 0, argMaxIf(c_pathname, ord, \(pageview)), argMax(c_pathname, ord)) AS s_\(name)"
            default:
                return "argMin(c_\(name), ord) AS s_\(name)"
            }
        }
        visitValues.append(
            "toUInt64(countIf(\(pageview)) = 1 AND countIf(NOT \(pageview) AND bitAnd(c_flags, 1) = 0) = 0) AS s_bounce"
        )
        visitValues.append("max(c_time) - min(c_time) AS s_duration")
        let kept = ["time", "name", "flags", "revenue"] + hitColumns.sorted()
        let step2 = """
            SELECT day, visitor_id, visit,
              \((visitValues + kept.map { "groupArray(c_\($0)) AS g_\($0)" }).joined(separator: ",\n  "))
            FROM (SELECT day, visitor_id, \(unfolded.map(\.alias).joined(separator: ", "))
                  FROM (\(step1)) ARRAY JOIN \(unfolded.map { "\($0.array) AS \($0.alias)" }.joined(separator: ", ")))
            GROUP BY day, visitor_id, visit
            """

        // Step 3: each hit with its visit's values, filtered, and the cells it counts in.
        var conditions: [String] = []
        if let filter = request.filter { conditions.append(Self.condition(filter)) }
        if case .instants(let from, let to) = request.dateRange {
            conditions.append("h_time >= \(from) AND h_time < \(to)")
        }
        if !request.includeImported { conditions.append("bitAnd(h_flags, \(HitFlags.imported.rawValue)) = 0") }
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
        let step3 = """
            SELECT day, visitor_id, visit, s_bounce, s_duration, h_name = '\(Hit.pageview)' AS pageview,
              h_revenue AS revenue, arrayConcat(\(cells.joined(separator: ", "))) AS cells
            FROM (\(step2))
            ARRAY JOIN \(kept.map { "g_\($0) AS h_\($0)" }.joined(separator: ", "))
            \(conditions.isEmpty ? "" : "WHERE " + conditions.map { "(\($0))" }.joined(separator: " AND "))
            """

        // Step 4: per cell and visit, then per cell.
        sql = """
            SELECT tag, key, day, hour, uniqExact(visitor_id), count(), sum(pageviews), sum(events), sum(bounce),
              sum(duration), sum(revenue)
            FROM (
              SELECT cell.1 AS tag, cell.2 AS key, day, cell.3 AS hour, visitor_id, visit,
                any(s_bounce) AS bounce, any(s_duration) AS duration, countIf(pageview) AS pageviews,
                countIf(NOT pageview) AS events, sum(revenue) AS revenue
              FROM (\(step3)) ARRAY JOIN cells AS cell
              GROUP BY tag, key, day, hour, visitor_id, visit
            )
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
        case .and(let parts), .or(let parts): parts.reduce(into: []) { $0.formUnion(dimensions(in: $1)) }
        case .not(let part): dimensions(in: part)
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
            return comparison.op.isNegative ? "NOT \(positive)" : positive
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

extension Filter.Operator {
    /// Whether the operator is the negation of another (`is_not`, `contains_not`, `matches_not`).
    var isNegative: Bool { self == .isNot || self == .containsNot || self == .matchesNot }
}
