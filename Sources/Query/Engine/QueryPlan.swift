import Projections

/// How a query will be answered.
enum QueryPlan {
    /// From the stored cells (plus days folded on demand from the unfolded tail). With a
    /// selection, only cells of that dimension whose key matches are summed.
    case rollups(Selection?)
    /// Counted on demand from the stored visit tables with a filter (or none), for questions the
    /// cells cannot answer; days the unfolded tail touches are folded from the journal.
    case visits(HitFilter?)
    /// Folded on demand from the journal: the filter needs each hit's exact time.
    case journal(HitFilter)

    /// Cells of one dimension whose keys satisfy a test.
    struct Selection {
        let dimension: Dimension
        let test: @Sendable (String) -> Bool
    }

    /// Stored cells answer a question exactly when it needs one cell per day: no filter, or one
    /// `is` comparison with one value (summing several cells would count a visitor twice whose
    /// visits or hits fall under two of them, even for visit dimensions: one visitor, two visits
    /// from two sources), a breakdown by nothing or by that same dimension, and hours only for the
    /// totals (dimensions are stored per day). Anything else is counted from the visit tables, and
    /// a range of instants from the journal itself.
    static func make(for request: QueryRequest, budget: QueryBudget? = nil) throws -> QueryPlan {
        var extra: [HitFilter] = []
        if case .instants(let from, let to) = request.dateRange { extra.append(.time(from..<to)) }
        if !request.includeImported { extra.append(.imported(false)) }
        let hourlyCells = request.timeBucket == .hour
        guard let filter = request.filter else {
            if extra.isEmpty { return hourlyCells && request.breakdown != nil ? .visits(nil) : .rollups(nil) }
            return plan(.all(extra))
        }
        let comparisons = filter.comparisons
        if extra.isEmpty, !hourlyCells, comparisons.count == 1, isSingle(filter), let comparison = comparisons.first {
            let dimension = comparison.dimension
            let oneCell = comparison.op == .is && comparison.values.count == 1
            let breakdownFits = request.breakdown == nil || request.breakdown == dimension
            if oneCell && breakdownFits {
                let predicate = try Predicate(comparison, budget: budget).test
                let negated = comparison.op.isNegated
                let test: @Sendable (String) -> Bool = { negated != predicate($0) }
                return .rollups(Selection(dimension: dimension, test: test))
            }
        }
        return plan(.all([try filter.hitFilter(budget: budget)] + extra))
    }

    private static func plan(_ filter: HitFilter) -> QueryPlan {
        filter.needsTimestamps ? .journal(filter) : .visits(filter)
    }

    private static func isSingle(_ filter: Filter) -> Bool {
        switch filter {
        case .compare: true
        case .and(let parts), .or(let parts): parts.count == 1 && isSingle(parts[0])
        case .not, .sequence, .scrolled: false
        }
    }
}
