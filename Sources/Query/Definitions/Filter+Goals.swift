extension Filter {
    /// The filter with every `goal is NAME` (and `is not`) whose NAME is one of `goals` replaced
    /// by that goal's condition; other names keep meaning the custom event of that name.
    public func expandingGoals(_ goals: [Goal]) throws -> Filter {
        guard !goals.isEmpty else { return self }
        switch self {
        case .and(let parts): return .and(try parts.map { try $0.expandingGoals(goals) })
        case .or(let parts): return .or(try parts.map { try $0.expandingGoals(goals) })
        case .not(let part): return .not(try part.expandingGoals(goals))
        case .sequence(let steps): return .sequence(try steps.map { try $0.expandingGoals(goals) })
        case .scrolled: return self
        case .compare(let comparison):
            guard comparison.dimension == .goal, comparison.op == .is || comparison.op == .isNot else { return self }
            let defined = Dictionary(goals.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            var parts: [Filter] = []
            var events: [String] = []
            for value in comparison.values {
                if let goal = defined[value] { parts.append(try goal.filter()) } else { events.append(value) }
            }
            guard !parts.isEmpty else { return self }
            if !events.isEmpty { parts.append(.compare(.init(op: .is, dimension: .goal, values: events))) }
            let positive = parts.count == 1 ? parts[0] : .or(parts)
            return comparison.op == .isNot ? .not(positive) : positive
        }
    }
}
