import Foundation

extension QueryResult {
    /// The answer as CSV: a header line (dimension names, metric names, and with a comparison
    /// `previous_METRIC` and `change_METRIC` columns), then one line per row, or the totals when
    /// the question has no dimensions. Numbers are raw, as in the JSON; dimension values are
    /// spreadsheet-safe (see ``CSVWriter``). Written straight into bytes.
    public func csv(for request: QueryRequest) -> Data {
        var out = CSVWriter(capacity: 128 + rows.count * 48)
        let compared = request.comparison != nil
        for dimension in request.dimensions { out.field(dimension.description) }
        for metric in request.metrics { out.field(metric.rawValue) }
        if compared {
            for metric in request.metrics { out.field("previous_" + metric.rawValue) }
            for metric in request.metrics { out.field("change_" + metric.rawValue) }
        }
        out.endLine()
        for row in request.dimensions.isEmpty ? [totals] : rows {
            for value in row.dimensions { out.field(value, spreadsheetSafe: true) }
            for value in row.metrics { out.number(value) }
            if compared {
                for value in row.comparison ?? [] { out.number(value) }
                for value in row.change ?? [] { out.number(value) }
            }
            out.endLine()
        }
        return Data(out.bytes)
    }
}
