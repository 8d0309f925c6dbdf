import Foundation

/// An ordered path through a site a visit can take: 2 to 8 steps, each a condition in the query
/// filter syntax (`page==/`, `page~=/pricing`, `goal==Signup`; a defined goal's name stands for
/// its definition). A visit reaches step N when it has a hit matching step 1, a later hit
/// matching step 2, and so on up to N, with other hits in between allowed.
public struct Funnel: Codable, Sendable, Hashable {
    /// The site.
    public var site: String
    /// The name (`infinity query SITE --funnel NAME`); unique per site.
    public var name: String
    /// The steps, as written.
    public var steps: [String]

    /// A funnel.
    public init(site: String, name: String, steps: [String]) {
        self.site = site
        self.name = name
        self.steps = steps
    }

    /// The fewest and most steps a funnel has.
    public static let stepCount = 2...8

    /// Each step's condition, with defined goals expanded.
    public func conditions(goals: [Goal]) throws -> [Filter] {
        try steps.enumerated().map { index, step in
            do {
                return try Filter(commandLine: step).expandingGoals(goals)
            } catch let error as QueryError {
                throw QueryError.invalid("step \(index + 1) of funnel '\(name)': \(error.message)", field: "funnel")
            }
        }
    }

    /// A short label for each step: `Visit /pricing` for `page==/pricing`, the goal's name for
    /// `goal==NAME`, the step as written otherwise.
    public var labels: [String] {
        steps.map { step in
            for (prefix, label) in [("page==", "Visit "), ("goal==", "")] where step.hasPrefix(prefix) {
                let value = step.dropFirst(prefix.count)
                if !value.contains("|") { return label + value }
            }
            return step
        }
    }

    /// Checks the definition: a name, 2 to 8 steps that each parse (`goals` expand goal names).
    public func validate(goals: [Goal]) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 120 else {
            throw QueryError.invalid("a funnel's name must be 1 to 120 characters", field: "funnel")
        }
        guard Self.stepCount.contains(steps.count) else {
            throw QueryError.invalid(
                "a funnel has 2 to 8 steps, not \(steps.count); give each with --step (e.g. --step 'page==/' --step 'goal==Signup')",
                field: "funnel")
        }
        for condition in try conditions(goals: goals) { try condition.check() }
    }
}
