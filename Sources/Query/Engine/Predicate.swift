import Foundation
import Projections

/// A compiled comparison: decides whether one dimension value matches.
struct Predicate: Sendable {
    /// The test on the value (for properties with a key: on the value after `key=`).
    let test: @Sendable (String) -> Bool

    /// Compiles `comparison`, positively (the negation is applied by the caller). Regular
    /// expressions are checked against ``QueryBudget``'s rules and evaluated only while `budget` lasts.
    init(_ comparison: Filter.Comparison, budget: QueryBudget? = nil) throws {
        let values = comparison.values
        let positive: @Sendable (String) -> Bool
        switch comparison.op {
        case .is, .isNot:
            let set = Set(values)
            positive = { set.contains($0) }
        case .contains, .containsNot:
            let needles = values.map { $0.lowercased() }
            positive = { value in
                let lower = value.lowercased()
                return needles.contains { lower.contains($0) }
            }
        case .matches, .matchesNot:
            let expressions = try values.map { pattern in
                try QueryBudget.check(pattern: pattern)
                do {
                    return RegularExpressionBox(try NSRegularExpression(pattern: pattern))
                } catch {
                    throw QueryError.invalid("'\(pattern)' is not a valid regular expression", field: "filters")
                }
            }
            positive = { value in
                if let budget, budget.isSpent() { return false }
                return expressions.contains { $0.matches(value) }
            }
        }
        if let key = comparison.propertyKey {
            let prefix = key + "="
            test = { value in value.hasPrefix(prefix) && positive(String(value.dropFirst(prefix.count))) }
        } else {
            test = positive
        }
    }
}

/// An `NSRegularExpression`, shared between threads.
///
/// `@unchecked Sendable`: the expression is immutable after creation, and Foundation documents
/// `NSRegularExpression` matching as safe from several threads at once.
final class RegularExpressionBox: @unchecked Sendable {
    private let expression: NSRegularExpression

    init(_ expression: NSRegularExpression) { self.expression = expression }

    func matches(_ value: String) -> Bool {
        expression.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }
}

extension Filter {
    /// The same condition as a fold's ``HitFilter``.
    func hitFilter(budget: QueryBudget? = nil) throws -> HitFilter {
        switch self {
        case .and(let parts): return .all(try parts.map { try $0.hitFilter(budget: budget) })
        case .or(let parts): return .any(try parts.map { try $0.hitFilter(budget: budget) })
        case .not(let part): return .not(try part.hitFilter(budget: budget))
        case .sequence(let steps): return .sequence(try steps.map { try $0.hitFilter(budget: budget) })
        case .scrolled(let depth): return .scrolled(atLeast: depth)
        case .compare(let comparison):
            let leaf = HitFilter.value(comparison.dimension, try Predicate(comparison, budget: budget).test)
            return comparison.op.isNegated ? .not(leaf) : leaf
        }
    }

    /// Checks every comparison as the embedded engine would compile it (regular expressions that
    /// do not parse or could run too long are refused), for engines that evaluate filters elsewhere.
    public func check() throws {
        for comparison in comparisons { _ = try Predicate(comparison) }
    }

    /// The filter without its goal comparisons (the base of a conversion rate); nil if nothing is left.
    func withoutGoals() -> Filter? {
        switch self {
        case .compare(let comparison): return comparison.dimension == .goal ? nil : self
        case .and(let parts):
            let left = parts.compactMap { $0.withoutGoals() }
            return left.isEmpty ? nil : left.count == 1 ? left[0] : .and(left)
        case .or(let parts):
            let left = parts.compactMap { $0.withoutGoals() }
            return left.count == parts.count ? .or(left) : nil
        case .not(let part): return part.withoutGoals().map { .not($0) }
        case .sequence, .scrolled: return self
        }
    }
}
