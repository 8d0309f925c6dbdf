import Hummingbird

extension Request {
    /// Whether the client asks for a query's answer as CSV (`Accept: text/csv`) rather than JSON;
    /// the Stats API and the dashboard's query endpoint both honour it.
    var acceptsCSV: Bool { headers[.accept]?.lowercased().contains("text/csv") == true }
}

/// The content type of a query answer written as CSV.
let csvContentType = "text/csv; charset=utf-8"
