/// Where the query engine finds each site's goals and funnels: the files in the data folder
/// (``DefinitionStore``), or a fixed list (``FixedDefinitions``, for tests and tools).
public protocol SiteDefinitions: Sendable {
    /// The goals of `site`, in the order they were defined.
    func goals(of site: String) -> [Goal]
    /// The funnels of `site`, in the order they were defined.
    func funnels(of site: String) -> [Funnel]
}

/// Definitions held in memory.
public struct FixedDefinitions: SiteDefinitions {
    /// Every site's goals.
    public var goals: [Goal]
    /// Every site's funnels.
    public var funnels: [Funnel]

    /// Definitions.
    public init(goals: [Goal] = [], funnels: [Funnel] = []) {
        self.goals = goals
        self.funnels = funnels
    }

    /// The goals of `site`.
    public func goals(of site: String) -> [Goal] { goals.filter { $0.site == site } }
    /// The funnels of `site`.
    public func funnels(of site: String) -> [Funnel] { funnels.filter { $0.site == site } }
}
