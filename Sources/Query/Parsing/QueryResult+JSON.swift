import Foundation
import Projections

extension QueryResult {
    /// The Stats API v2 response, `{"meta", "query", "results": [{"comparison", "dimensions",
    /// "metrics"}], "totals"}` with sorted keys, written straight into bytes (``JSONWriter``).
    /// Numbers are raw (rates in percent with full precision, durations in seconds, revenue in the
    /// currency's major unit); nil rates are `null`.
    public func json(for request: QueryRequest) -> Data {
        var out = JSONWriter(capacity: 256 + rows.count * 96)
        func write(_ row: Row) {
            out.beginObject()
            if let comparison = row.comparison {
                out.key("comparison")
                out.beginObject()
                out.key("change")
                out.numbers(row.change ?? [])
                out.key("metrics")
                out.numbers(comparison)
                out.endObject()
            }
            out.key("dimensions")
            out.strings(row.dimensions)
            out.key("metrics")
            out.numbers(row.metrics)
            out.endObject()
        }
        out.beginObject()
        out.key("meta")
        out.beginObject()
        out.key("days_folded")
        out.integer(meta.daysFolded)
        out.key("days_from_rollups")
        out.integer(meta.daysFromRollups)
        if let included = meta.importsIncluded {
            out.key("imports_included")
            out.bool(included)
        }
        out.key("journal_position")
        out.integer(meta.position)
        out.key("path")
        out.string(meta.path)
        out.key("time_ms")
        out.number((meta.milliseconds * 10).rounded() / 10)
        out.key("warnings")
        out.strings(meta.warnings)
        out.endObject()

        out.key("query")
        out.beginObject()
        if let comparison = request.comparison, let comparisonDays {
            out.key("comparison")
            out.beginObject()
            out.key("date_range")
            out.strings([DayKey.isoDate(comparisonDays.lowerBound), DayKey.isoDate(comparisonDays.upperBound)])
            out.key("mode")
            out.string(comparison.rawValue)
            out.endObject()
        }
        out.key("date_range")
        out.strings([DayKey.isoDate(days.lowerBound), DayKey.isoDate(days.upperBound)])
        out.key("dimensions")
        out.strings(request.dimensions.map(\.description))
        if let funnel = request.funnel {
            out.key("funnel")
            out.string(funnel)
        }
        if let filter = request.filter {
            out.key("filters")
            out.beginArray()
            filter.write(to: &out)
            out.endArray()
        }
        out.key("include")
        out.beginObject()
        out.key("imports")
        out.bool(request.includeImported)
        out.endObject()
        out.key("metrics")
        out.strings(request.metrics.map(\.rawValue))
        out.key("order_by")
        out.beginArray()
        for order in request.orderBy { out.strings([order.key, order.ascending ? "asc" : "desc"]) }
        out.endArray()
        out.key("pagination")
        out.beginObject()
        out.key("limit")
        if let limit = request.limit { out.integer(limit) } else { out.null() }
        out.key("offset")
        out.integer(request.offset)
        out.endObject()
        out.key("site_id")
        out.string(request.site)
        out.endObject()

        out.key("results")
        out.beginArray()
        for row in rows { write(row) }
        out.endArray()
        out.key("totals")
        write(totals)
        out.endObject()
        return Data(out.bytes)
    }
}

extension Filter {
    /// The Stats API form: `["is", "country", ["DE"]]`, `["and", [...]]`.
    func write(to out: inout JSONWriter) {
        out.beginArray()
        switch self {
        case .compare(let c):
            out.string(c.op.rawValue)
            out.string(c.propertyKey.map { "props:\($0)" } ?? c.dimension.description)
            out.strings(c.values)
        case .and(let parts), .or(let parts):
            out.string({ if case .and = self { "and" } else { "or" } }())
            out.beginArray()
            for part in parts { part.write(to: &out) }
            out.endArray()
        case .not(let part):
            out.string("not")
            part.write(to: &out)
        case .scrolled(let depth):
            out.string("scrolled_at_least")
            out.integer(depth)
        case .sequence(let steps):
            out.string("sequence")
            out.beginArray()
            for step in steps { step.write(to: &out) }
            out.endArray()
        }
        out.endArray()
    }
}
