import Foundation
import Projections

extension QueryResult {
    /// The Stats API v2 response: `{"results": [{"metrics", "dimensions", "comparison"}], "meta", "query"}`.
    /// Numbers are raw (rates in percent with full precision, durations in seconds, revenue in the
    /// currency's major unit); nil rates are `null`.
    public func jsonObject(for request: QueryRequest) -> [String: Any] {
        func numbers(_ values: [Double?]) -> [Any] { values.map { $0.map { $0 as Any } ?? NSNull() } }
        func encode(_ row: Row) -> [String: Any] {
            var object: [String: Any] = ["metrics": numbers(row.metrics), "dimensions": row.dimensions]
            if let comparison = row.comparison {
                object["comparison"] = ["metrics": numbers(comparison), "change": numbers(row.change ?? [])]
            }
            return object
        }
        var query: [String: Any] = [
            "site_id": request.site, "metrics": request.metrics.map(\.rawValue),
            "date_range": [DayKey.isoDate(days.lowerBound), DayKey.isoDate(days.upperBound)],
            "dimensions": request.dimensions.map(\.description),
            "order_by": request.orderBy.map { [$0.key, $0.ascending ? "asc" : "desc"] },
            "pagination": ["limit": request.limit.map { $0 as Any } ?? NSNull(), "offset": request.offset],
            "include": ["imports": request.includeImported],
        ]
        if let filter = request.filter { query["filters"] = [filter.jsonObject] }
        if let comparison = request.comparison, let comparisonDays {
            query["comparison"] = [
                "mode": comparison.rawValue,
                "date_range": [DayKey.isoDate(comparisonDays.lowerBound), DayKey.isoDate(comparisonDays.upperBound)],
            ]
        }
        return [
            "results": rows.map(encode),
            "totals": encode(totals),
            "meta": [
                "path": meta.path, "days_from_rollups": meta.daysFromRollups, "days_folded": meta.daysFolded,
                "journal_position": meta.position, "time_ms": (meta.milliseconds * 10).rounded() / 10,
                "warnings": meta.warnings,
            ] as [String: Any],
            "query": query,
        ]
    }

    /// ``jsonObject(for:)`` as JSON bytes with sorted keys.
    public func json(for request: QueryRequest) -> Data {
        (try? JSONSerialization.data(
            withJSONObject: jsonObject(for: request), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}

extension Filter {
    /// The Stats API form: `["is", "country", ["DE"]]`, `["and", [...]]`.
    var jsonObject: Any {
        switch self {
        case .compare(let c):
            let name = c.propertyKey.map { "props:\($0)" } ?? c.dimension.description
            return [c.op.rawValue, name, c.values] as [Any]
        case .and(let parts): return ["and", parts.map(\.jsonObject)] as [Any]
        case .or(let parts): return ["or", parts.map(\.jsonObject)] as [Any]
        case .not(let part): return ["not", part.jsonObject] as [Any]
        }
    }
}
