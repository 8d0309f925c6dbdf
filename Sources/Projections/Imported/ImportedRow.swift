/// One row of an imported table: a day, the row's labels (one per entry of the table's
/// ``ImportedTable/dimensions``), and its numbers.
public struct ImportedRow: Sendable, Equatable {
    /// The table the row belongs to.
    public var table: ImportedTable
    /// The site-local day (days since 1970-01-01).
    public var day: Int64
    /// The labels, in the order of the table's dimensions (empty: none, as in native rollups).
    public var labels: [String]
    /// Its numbers: visitors, visits, page views, events, bounces and duration (ms) as far as the
    /// table has them.
    public var metrics: Metrics

    /// A row.
    public init(table: ImportedTable, day: Int64, labels: [String], metrics: Metrics) {
        self.table = table
        self.day = day
        self.labels = labels
        self.metrics = metrics
    }

    /// The key the row adds to in dimension number `index` of its table: the label itself, a
    /// browser or system with its version (`Chrome 131`), a custom event's link or path as the
    /// property `url=…` or `path=…`. Nil: the row adds to no cell there (an event without a link).
    func key(at index: Int) -> String? {
        let label = labels[index]
        switch (table, index) {
        case (.browsers, 1), (.operatingSystems, 1):
            return label.isEmpty ? labels[0] : labels[0] + " " + label
        case (.customEvents, 1): return label.isEmpty ? nil : "url=" + label
        case (.customEvents, 2): return label.isEmpty ? nil : "path=" + label
        default: return label
        }
    }
}

/// Imported rows turned into day rollups: whole-day cells only (imported tables have no hours).
public enum ImportedRollups {
    /// The rollups of `rows` for `site`, by day. Rows of one day and key add up.
    public static func make(_ rows: [ImportedRow], site: String) -> [Int64: DayRollup] {
        var builders: [Int64: Builder] = [:]
        for row in rows { builders[row.day, default: Builder(site: site, day: row.day)].add(row) }
        return builders.mapValues { $0.finish() }
    }

    /// One day's cells while rows come in.
    struct Builder {
        var rollup: DayRollup
        var cells: [Dimension: [String: Metrics]] = [:]

        init(site: String, day: Int64) { rollup = DayRollup(site: site, day: day, position: 0) }

        mutating func add(_ row: ImportedRow) {
            if row.table == .visitors {
                rollup.totals[DayRollup.wholeDay] += row.metrics
                return
            }
            for (index, dimension) in row.table.dimensions.enumerated() {
                guard let key = row.key(at: index) else { continue }
                cells[dimension, default: [:]][key, default: Metrics()] += row.metrics
                if dimension == .property, let equals = key.firstIndex(of: "=") {
                    cells[.propertyKey, default: [:]][String(key[..<equals]), default: Metrics()] += row.metrics
                }
            }
        }

        func finish() -> DayRollup {
            var rollup = rollup
            // Daily totals tables (Plausible's visitors) have no events; the day's events are its
            // custom events.
            if rollup.totals[DayRollup.wholeDay].events == 0, let events = cells[.goal] {
                rollup.totals[DayRollup.wholeDay].events = events.values.reduce(0) { $0 + $1.events }
            }
            for (dimension, values) in cells {
                var table = DimensionTable()
                for (key, metrics) in values.sorted(by: { $0.key < $1.key }) {
                    table.rows.append(
                        DimensionTable.Row(
                            key: UInt32(table.keys.count), hour: UInt8(DayRollup.wholeDay), metrics: metrics))
                    table.keys.append(key)
                }
                rollup[dimension] = table
            }
            return rollup
        }
    }
}
