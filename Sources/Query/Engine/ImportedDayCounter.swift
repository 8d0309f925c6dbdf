import Journal
import Projections

/// Adds imported daily aggregates (``ImportedStore``) to what another ``DayCounter`` counts, where
/// they can answer the question, as Plausible does with its imported tables:
///
/// - days only (no hours, no ranges of instants), and no funnels or scroll conditions;
/// - a breakdown by a dimension some imported table fills;
/// - a filter on one dimension, with no breakdown or a breakdown by that same dimension (imported
///   tables hold each dimension on its own, so they cannot combine two).
///
/// Otherwise the imported days are left out and the answer says so in a note. Visitors of
/// imported days add up day by day, as the site's own daily visitor ids do.
struct ImportedDayCounter: DayCounter {
    let base: any DayCounter
    let store: ImportedStore

    func count(_ question: DayQuestion) throws -> CountedDays {
        var counted = try base.count(question)
        let request = question.request
        let overlapping = question.days.flatMap { store.imports(of: request.site, overlapping: $0) }
        guard !overlapping.isEmpty else { return counted }
        guard request.includeImported else {
            counted.importsIncluded = false
            return counted
        }
        let fit = Self.fit(question)
        guard case .success(let filter) = fit else {
            if case .failure(let reason) = fit { counted.notes.append("imported days are left out: \(reason)") }
            counted.importsIncluded = false
            return counted
        }
        // Imports that cannot answer the question's dimension are named, the others counted.
        let needed = filter?.dimension ?? question.request.breakdown
        if needed == nil {
            let lacking = Set(overlapping.filter { !$0.has(.visitors) }.map(\.id)).sorted()
            if !lacking.isEmpty {
                counted.notes.append(
                    "import \(lacking.map(String.init).joined(separator: ", ")) has no daily totals (visitors table), so its days add nothing to totals"
                )
            }
        } else if let needed {
            let lacking = Set(overlapping.filter { !$0.has(ImportedTable.table(filling: needed)) }.map(\.id)).sorted()
            if !lacking.isEmpty {
                counted.notes.append(
                    "imported days of import \(lacking.map(String.init).joined(separator: ", ")) have no \(needed) table and are left out of this breakdown"
                )
            }
        }
        var summed = false
        for range in question.days {
            let (days, problems) = store.rollups(site: request.site, days: range)
            counted.notes += problems
            for (day, rollup) in days {
                let added = filter.map { $0.apply(to: rollup) } ?? rollup
                if let filter, added[filter.dimension].keys.count > 1 { summed = true }
                if counted.days[day] == nil { counted.days[day] = added } else { counted.days[day]!.add(added) }
            }
        }
        if summed, let filter {
            counted.notes.append(
                "on imported days, the filter's total adds up the \(filter.dimension) values it matches, so a visitor of several counts once for each"
            )
        }
        counted.importsIncluded = true
        counted.path += "+imported"
        return counted
    }

    func firstDay(site: String, clock: LocalClock) throws -> Int64? {
        let own = try base.firstDay(site: site, clock: clock)
        return [own, store.firstDay(site: site)].compactMap { $0 }.min()
    }

    func visitors(site: String, in window: Range<Int64>) throws -> Int { try base.visitors(site: site, in: window) }

    /// A filter the imported tables can apply: one dimension and a test on its values.
    struct ImportedFilter {
        let dimension: Dimension
        let test: (String) -> Bool

        /// The day with only the cells that pass: the dimension's table, and totals summed from it.
        func apply(to rollup: DayRollup) -> DayRollup {
            var result = DayRollup(site: rollup.site, day: rollup.day, position: rollup.position)
            let table = rollup[dimension]
            var kept = DimensionTable()
            for row in table.rows where test(table.keys[Int(row.key)]) {
                result.totals[Int(row.hour)] += row.metrics
                kept.rows.append(.init(key: UInt32(kept.keys.count), hour: row.hour, metrics: row.metrics))
                kept.keys.append(table.keys[Int(row.key)])
            }
            result[dimension] = kept
            return result
        }
    }

    /// Why imported days cannot answer `question`, or the filter they answer it under.
    static func fit(_ question: DayQuestion) -> Result<ImportedFilter?, Refusal> {
        let request = question.request
        if case .instants = request.dateRange { return .failure("they have no times of day") }
        if question.hourly { return .failure("they have no hours") }
        if let breakdown = request.breakdown, ImportedTable.table(filling: breakdown) == nil {
            return .failure(Refusal("they have no \(breakdown) table"))
        }
        guard let filter = request.filter else { return .success(nil) }
        if filter.hasSequence { return .failure("funnels and scroll conditions need each visit's hits") }
        let dimensions = Set(filter.comparisons.map(\.dimension))
        guard dimensions.count == 1, let dimension = dimensions.first else {
            return .failure("their tables hold one dimension at a time, and this filter combines several")
        }
        if let breakdown = request.breakdown, breakdown != dimension {
            return .failure(
                Refusal(
                    "their tables hold one dimension at a time: a filter on \(dimension) cannot break down \(breakdown)"
                ))
        }
        guard ImportedTable.table(filling: dimension) != nil else {
            return .failure(Refusal("they have no \(dimension) table"))
        }
        do {
            return .success(ImportedFilter(dimension: dimension, test: try compile(filter)))
        } catch {
            return .failure(Refusal("\(error)"))
        }
    }

    /// Why imported days were left out.
    struct Refusal: Error, ExpressibleByStringLiteral, CustomStringConvertible {
        let description: String
        init(stringLiteral value: String) { description = value }
        init(_ value: String) { description = value }
    }

    private static func compile(_ filter: Filter) throws -> (String) -> Bool {
        switch filter {
        case .compare(let comparison):
            let predicate = try Predicate(comparison).test
            let negated = comparison.op.isNegated
            return { negated != predicate($0) }
        case .and(let parts):
            let tests = try parts.map(compile)
            return { value in tests.allSatisfy { $0(value) } }
        case .or(let parts):
            let tests = try parts.map(compile)
            return { value in tests.contains { $0(value) } }
        case .not(let part):
            let test = try compile(part)
            return { !test($0) }
        case .sequence, .scrolled:
            return { _ in false }
        }
    }
}

extension ImportRecord {
    /// Whether the import has `table`.
    func has(_ table: ImportedTable?) -> Bool {
        guard let table else { return false }
        return tables.contains { $0.table == table.description }
    }
}
