import Foundation
import Journal
import Projections

extension QueryRequest {
    /// Parses a Stats API v2 request body (Plausible's shape):
    /// `{"site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include", "pagination"}`.
    /// `clock` reads date-times in the site's zone; pass the site's clock once `site_id` is known.
    public init(json data: Data, clockFor: (String) -> LocalClock) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw QueryError.invalid("the body is not valid JSON", field: "body")
        }
        guard let body = object as? [String: Any] else {
            throw QueryError.invalid("the body must be a JSON object", field: "body")
        }
        let known: Set<String> = [
            "site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include", "pagination", "funnel",
        ]
        if let unknown = body.keys.first(where: { !known.contains($0) }) {
            throw QueryError.invalid(
                "unknown field; valid fields are \(known.sorted().joined(separator: ", "))", field: unknown)
        }
        guard let site = body["site_id"] as? String, !site.isEmpty else {
            throw QueryError.invalid("give the site's domain, e.g. \"site_id\": \"example.com\"", field: "site_id")
        }
        let clock = clockFor(site)
        self.init(site: site)
        if let funnel = body["funnel"] {
            // A funnel answers with its own dimensions and metrics; only range, filters, imports
            // and pagination apply.
            guard let name = funnel as? String, !name.isEmpty else {
                throw QueryError.invalid("give the funnel's name, e.g. \"funnel\": \"Signup\"", field: "funnel")
            }
            for field in ["metrics", "dimensions", "order_by"] where body[field] != nil {
                throw QueryError.invalid("leave \(field) out when asking for a funnel", field: field)
            }
            askFunnel(name)
        } else {
            try parseMetrics(body)
        }
        switch body["date_range"] {
        case let text as String: dateRange = try DateRange(parsing: text, zone: clock)
        case let pair as [String] where pair.count == 2:
            dateRange = try DateRange.explicit(pair[0], pair[1], clock: clock)
        case nil: dateRange = .days(30)
        default:
            throw QueryError.invalid(
                "give a range name (\"30d\") or two dates ([\"2026-11-01\", \"2026-11-29\"])", field: "date_range")
        }
        if let names = body["dimensions"] {
            guard let names = names as? [String] else {
                throw QueryError.invalid("give a list of dimension names", field: "dimensions")
            }
            dimensions = try names.map { try QueryDimension.parse($0, field: "dimensions") }
        }
        if let filters = body["filters"] {
            guard let list = filters as? [Any] else {
                throw QueryError.invalid(
                    "give a list of filters like [\"is\", \"visit:country\", [\"DE\"]]", field: "filters")
            }
            let parsed = try list.enumerated().map { try Filter.parse($0.element, field: "filters[\($0.offset)]") }
            filter = parsed.isEmpty ? nil : parsed.count == 1 ? parsed[0] : .and(parsed)
        }
        if let orders = body["order_by"] {
            guard let list = orders as? [[String]], list.allSatisfy({ $0.count == 2 }) else {
                throw QueryError.invalid("give a list like [[\"visitors\", \"desc\"]]", field: "order_by")
            }
            orderBy = try list.map { pair in
                guard pair[1] == "asc" || pair[1] == "desc" else {
                    throw QueryError.invalid("direction must be asc or desc, not '\(pair[1])'", field: "order_by")
                }
                let key = QueryDimension(name: pair[0])?.description ?? pair[0]
                return Order(key: key, ascending: pair[1] == "asc")
            }
        }
        if let include = body["include"] {
            guard let include = include as? [String: Any] else {
                throw QueryError.invalid("give an object like {\"imports\": true}", field: "include")
            }
            if let imports = include["imports"] as? Bool { includeImported = imports }
            if let comparisons = include["comparisons"] as? [String: Any], funnel == nil {
                guard let mode = comparisons["mode"] as? String, let parsed = Comparison(rawValue: mode) else {
                    throw QueryError.invalid(
                        "comparison mode must be previous_period or year_over_year", field: "include.comparisons")
                }
                comparison = parsed
            }
        }
        if let pagination = body["pagination"] {
            guard let pagination = pagination as? [String: Any] else {
                throw QueryError.invalid("give an object like {\"limit\": 10, \"offset\": 0}", field: "pagination")
            }
            limit = pagination["limit"] as? Int
            offset = pagination["offset"] as? Int ?? 0
        }
    }
}

extension QueryRequest {
    private mutating func parseMetrics(_ body: [String: Any]) throws {
        guard let metricNames = body["metrics"] as? [String] else {
            throw QueryError.invalid("give a list of metrics (\(Metric.names))", field: "metrics")
        }
        metrics = try metricNames.map { name in
            guard let metric = Metric(rawValue: name) else {
                throw QueryError.invalid("unknown metric '\(name)'; valid: \(Metric.names)", field: "metrics")
            }
            return metric
        }
    }
}

extension QueryDimension {
    /// Parses a dimension name or throws an error that lists the valid ones.
    static func parse(_ name: String, field: String) throws -> QueryDimension {
        guard let dimension = QueryDimension(name: name) else {
            throw QueryError.invalid("unknown dimension '\(name)'; valid: \(QueryDimension.names)", field: field)
        }
        return dimension
    }
}

extension Filter {
    /// Parses `["is", "visit:country", ["DE"]]`, `["and", [...]]`, `["or", [...]]`, `["not", f]`.
    static func parse(_ value: Any, field: String) throws -> Filter {
        guard let list = value as? [Any], let head = list.first as? String else {
            throw QueryError.invalid("a filter is a list like [\"is\", \"visit:country\", [\"DE\"]]", field: field)
        }
        switch head {
        case "and", "or":
            guard list.count == 2, let parts = list[1] as? [Any], !parts.isEmpty else {
                throw QueryError.invalid("\(head) takes a list of filters", field: field)
            }
            let parsed = try parts.enumerated().map { try parse($0.element, field: "\(field)[\($0.offset)]") }
            return head == "and" ? .and(parsed) : .or(parsed)
        case "not":
            guard list.count == 2 else { throw QueryError.invalid("not takes one filter", field: field) }
            return .not(try parse(list[1], field: field))
        default:
            guard let op = Operator(rawValue: head) else {
                throw QueryError.invalid(
                    "unknown operator '\(head)'; valid: \(Operator.allCases.map(\.rawValue).joined(separator: ", ")), and, or, not",
                    field: field)
            }
            guard list.count == 3, let name = list[1] as? String, let values = list[2] as? [Any] else {
                throw QueryError.invalid("write [\"\(head)\", DIMENSION, [VALUES]]", field: field)
            }
            let strings = values.map { value in (value as? String) ?? "\(value)" }
            return .compare(try Comparison(op: op, name: name, values: strings, field: field))
        }
    }
}

extension Filter.Comparison {
    /// A comparison on a dimension given by name (`visit:country`, `event:props:plan`).
    init(op: Filter.Operator, name: String, values: [String], field: String) throws {
        guard !values.isEmpty else { throw QueryError.invalid("give at least one value", field: field) }
        switch try QueryDimension.parse(name, field: field) {
        case .dimension(let dimension): self.init(op: op, dimension: dimension, values: values)
        case .property(let key): self.init(op: op, dimension: .property, values: values, propertyKey: key)
        case .time:
            throw QueryError.invalid("filter time with the date range, not a filter", field: field)
        case .funnelStep:
            throw QueryError.invalid("a funnel's steps are not a filter; ask for the funnel instead", field: field)
        }
    }
}
