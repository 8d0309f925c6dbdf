import Projections

/// How a query will be answered.
enum QueryPlan {
    /// From day rollups (stored, plus days folded on demand from the unfolded tail). With a
    /// selection, only cells of that dimension whose key matches are summed.
    case rollups(Selection?)
    /// From days folded on demand with a filter over raw hits.
    case journal(HitFilter)

    /// Cells of one dimension whose keys satisfy a test.
    struct Selection {
        let dimension: Dimension
        let test: @Sendable (String) -> Bool
    }

    /// Rollup cells answer a filter exactly when it selects exactly one cell per day: one `is`
    /// comparison with one value. (Summing several cells would count a visitor twice whose visits
    /// or hits fall under two of them, even for visit dimensions: one visitor, two visits from two
    /// sources.) The breakdown, if any, must be that same dimension. Anything else needs the raw hits.
    static func make(for request: QueryRequest) throws -> QueryPlan {
        var extra: [HitFilter] = []
        if case .instants(let from, let to) = request.dateRange { extra.append(.time(from..<to)) }
        if !request.includeImported { extra.append(.imported(false)) }
        guard let filter = request.filter else {
            return extra.isEmpty ? .rollups(nil) : .journal(.all(extra))
        }
        let comparisons = filter.comparisons
        if extra.isEmpty, comparisons.count == 1, isSingle(filter), let comparison = comparisons.first {
            let dimension = comparison.dimension
            let oneCell = comparison.op == .is && comparison.values.count == 1
            let breakdownFits = request.breakdown == nil || request.breakdown == dimension
            if oneCell && breakdownFits {
                let predicate = try Predicate(comparison).test
                let negated = comparison.op.isNegated
                let test: @Sendable (String) -> Bool = { negated != predicate($0) }
                return .rollups(Selection(dimension: dimension, test: test))
            }
        }
        return .journal(.all([try filter.hitFilter()] + extra))
    }

    private static func isSingle(_ filter: Filter) -> Bool {
        switch filter {
        case .compare: true
        case .and(let parts), .or(let parts): parts.count == 1 && isSingle(parts[0])
        case .not: false
        }
    }
}
