/// One import of daily aggregates, as `imports.json` lists it: what came in, from where, for
/// which days of which tables. Its rows are in `imports/ID.rows`.
public struct ImportRecord: Codable, Sendable, Equatable {
    /// The import's number within the data folder (what `infinity import remove` takes).
    public var id: Int
    /// The site the numbers are added to.
    public var site: String
    /// The format read: `plausible-csv` or `analytics-csv`.
    public var source: String
    /// The names of the files read (without folders).
    public var files: [String]
    /// CRC32C of the stored rows, in hex: the same files imported again have the same one.
    public var fingerprint: String
    /// When it was imported (ISO 8601, UTC).
    public var importedAt: String
    /// Each table's first and last day (`YYYY-MM-DD`) and its rows.
    public var tables: [Span]
    /// Days left out because the site already had hits on them (native numbers win).
    public var skippedDays: Int

    /// The days of one table.
    public struct Span: Codable, Sendable, Equatable {
        /// The table (`pages`, …).
        public var table: String
        /// The first day with a row.
        public var first: String
        /// The last day with a row.
        public var last: String
        /// How many rows.
        public var rows: Int
    }

    /// The file its rows are kept in, relative to the data folder.
    public var rowsFile: String { "imports/\(id).rows" }

    /// The first and last day of table `table`, if the import has it.
    func days(of table: ImportedTable) -> ClosedRange<Int64>? {
        guard let span = tables.first(where: { $0.table == table.description }),
            let first = DayKey.day(fromISODate: span.first), let last = DayKey.day(fromISODate: span.last)
        else { return nil }
        return first...last
    }

    /// The first and last day of any of its tables.
    var days: ClosedRange<Int64>? {
        let ranges = ImportedTable.allCases.compactMap { days(of: $0) }
        guard let first = ranges.map(\.lowerBound).min(), let last = ranges.map(\.upperBound).max() else {
            return nil
        }
        return first...last
    }
}
