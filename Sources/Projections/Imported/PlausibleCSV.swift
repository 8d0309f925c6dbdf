import Foundation

/// Reads the tables of Plausible's CSV export (the zip its "Imports & exports" page makes):
/// `imported_TABLE_FIRST_LAST.csv`, each with a header line. Columns are found by name, so
/// exports of older and newer versions (with or without `scroll_depth`, `exits`, …) all read;
/// columns this site has no numbers for are ignored. The mapping is in Docs/import.md.
public enum PlausibleCSV {
    /// The table the export file `name` holds (`imported_pages_20240101_20241231.csv` holds
    /// pages); nil for a file that is not one of them.
    public static func table(fileName name: String) -> ImportedTable? {
        guard name.hasPrefix("imported_"), name.hasSuffix(".csv") else { return nil }
        var stem = String(name.dropFirst("imported_".count).dropLast(4))
        // `_20240101_20241231`: the export's dates.
        for _ in 0..<2 {
            if let underscore = stem.lastIndex(of: "_"), stem[stem.index(after: underscore)...].allSatisfy(\.isNumber) {
                stem = String(stem[..<underscore])
            }
        }
        return ImportedTable(name: stem)
    }

    /// The label columns of each table, in the order of its ``ImportedTable/dimensions``.
    static func labelColumns(_ table: ImportedTable) -> [String] {
        switch table {
        case .visitors: []
        case .sources:
            ["source", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "channel"]
        case .pages: ["hostname", "page"]
        case .entryPages: ["entry_page"]
        case .exitPages: ["exit_page"]
        case .customEvents: ["name", "link_url", "path"]
        case .locations: ["country"]
        case .devices: ["device"]
        case .browsers: ["browser", "browser_version"]
        case .operatingSystems: ["operating_system", "operating_system_version"]
        }
    }

    /// The number columns read, and what each becomes. Entrances and exits are the visits that
    /// began or ended on the page.
    static let numberColumns: [String: ImportedField] = [
        "visitors": .visitors, "visits": .visits, "entrances": .visits, "exits": .visits, "pageviews": .pageviews,
        "events": .events, "bounces": .bounces, "visit_duration": .durationSeconds,
    ]

    /// The rows of one export file holding `table`.
    public static func rows(_ bytes: [UInt8], table: ImportedTable, file: String) throws -> [ImportedRow] {
        var records = CSVRecords(bytes)
        guard let header = records.next() else { return [] }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        func refuse(_ message: String, line: Int) -> ProjectionError {
            ProjectionError(
                .invalidArgument, "\(file), line \(line): \(message)", file: file,
                hint: "Import the files of Plausible's CSV export unchanged (one imported_*.csv per table)")
        }
        guard let date = column("date") else { throw refuse("no date column", line: header.line) }
        var labels = labelColumns(table).map(column)
        // The table's own dimension must be there; the others may be missing in older exports.
        if table != .visitors, labels[table == .pages ? 1 : 0] == nil {
            throw refuse("no \(labelColumns(table)[table == .pages ? 1 : 0]) column", line: header.line)
        }
        if table == .customEvents, labels[0] == nil { labels[0] = column("goal") }
        // Exits count as the visits of an exit page only; on a page they are something else.
        let numbers: [(Int, ImportedField)] = names.enumerated().compactMap { index, name in
            guard let field = numberColumns[name] else { return nil }
            if name == "exits" && table != .exitPages { return nil }
            if name == "entrances" && table != .entryPages { return nil }
            return (index, field)
        }
        guard numbers.contains(where: { if case .visitors = $0.1 { true } else { false } }) else {
            throw refuse("no visitors column", line: header.line)
        }
        var rows: [ImportedRow] = []
        for (line, fields) in records {
            if fields.count == 1 && fields[0].isEmpty { continue }  // a blank line
            guard fields.count == names.count else {
                throw refuse("\(fields.count) fields where the header has \(names.count)", line: line)
            }
            guard let day = DayKey.day(fromISODate: fields[date].trimmingCharacters(in: .whitespaces)) else {
                throw refuse("'\(fields[date])' is not a date (YYYY-MM-DD)", line: line)
            }
            var metrics = Metrics()
            for (index, field) in numbers {
                guard let value = ImportedField.number(fields[index]) else {
                    throw refuse("'\(fields[index])' in column \(names[index]) is not a count", line: line)
                }
                field.add(value, to: &metrics)
            }
            let values = labels.enumerated().map { position, index -> String in
                let text = index.map { fields[$0] } ?? ""
                switch (table, position) {
                case (.devices, _): return ImportedField.device(text)
                case (.locations, _):
                    let code = ImportedField.label(text).uppercased()
                    return code == "ZZ" || code == "XX" ? "" : code
                default: return ImportedField.label(text)
                }
            }
            rows.append(ImportedRow(table: table, day: day, labels: values, metrics: metrics))
        }
        return rows
    }
}
