import Projections

/// A condition on hits: a comparison of one dimension with values, or and/or/not of others.
public indirect enum Filter: Sendable, Hashable {
    /// A comparison.
    case compare(Comparison)
    /// All of these.
    case and([Filter])
    /// Any of these.
    case or([Filter])
    /// Not this.
    case not(Filter)
    /// The hit at which a visit first completes these conditions in order, one hit per condition
    /// with other hits in between allowed (a funnel step; see ``Funnel``).
    case sequence([Filter])
    /// Page views of a page their visit scrolled to at least this depth, in percent (a
    /// scroll-depth goal; see ``Goal``).
    case scrolled(atLeast: Int)

    /// How a dimension's value is compared.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// Equals one of the values.
        case `is`
        /// Equals none of the values.
        case isNot = "is_not"
        /// Contains one of the values (case-insensitive).
        case contains
        /// Contains none of the values.
        case containsNot = "contains_not"
        /// Matches one of the regular expressions.
        case matches
        /// Matches none of the regular expressions.
        case matchesNot = "matches_not"

        /// Whether the operator is the negation of another (`is_not`, `contains_not`, `matches_not`).
        public var isNegated: Bool { self == .isNot || self == .containsNot || self == .matchesNot }
    }

    /// One comparison: `country is DE`, `page contains /blog`.
    public struct Comparison: Sendable, Hashable {
        /// The operator.
        public var op: Operator
        /// The dimension compared.
        public var dimension: Dimension
        /// The values (any of them matches).
        public var values: [String]
        /// For `prop`: the property key (`plan` in `prop:plan is pro`); the values then compare
        /// with the property's value.
        public var propertyKey: String?

        /// A comparison.
        public init(op: Operator, dimension: Dimension, values: [String], propertyKey: String? = nil) {
            self.op = op
            self.dimension = dimension
            self.values = values
            self.propertyKey = propertyKey
        }
    }

    /// The comparisons inside, in order.
    var comparisons: [Comparison] {
        switch self {
        case .compare(let comparison): [comparison]
        case .and(let parts), .or(let parts), .sequence(let parts): parts.flatMap(\.comparisons)
        case .not(let part): part.comparisons
        case .scrolled: []
        }
    }
}

extension Filter {
    /// Whether the filter holds a ``sequence`` or ``scrolled(atLeast:)`` (which only the embedded
    /// engine counts).
    public var hasSequence: Bool {
        switch self {
        case .compare: false
        case .sequence, .scrolled: true
        case .and(let parts), .or(let parts): parts.contains(where: \.hasSequence)
        case .not(let part): part.hasSequence
        }
    }
}
