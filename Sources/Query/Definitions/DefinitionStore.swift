import Journal

/// Goals and funnels kept in the data folder (`goals.json`, `funnels.json`), shared by the CLI
/// and a running server: the server reloads a file the CLI replaced (``reloadIfChanged()``), so a
/// new goal counts in the next answer without a restart.
public final class DefinitionStore: SiteDefinitions {
    /// The most goals and funnels one site may have.
    public static let limit = 100

    private let goalList: RegistryList<Goal>
    private let funnelList: RegistryList<Funnel>

    /// The store in `folder` (the data folder).
    public init(folder: String) throws {
        let hint = "Restore it from a backup, or delete it and define the goals and funnels again"
        goalList = try RegistryList(path: folder + "/goals.json", noun: "goals", hint: hint, mode: 0o644)
        funnelList = try RegistryList(path: folder + "/funnels.json", noun: "funnels", hint: hint, mode: 0o644)
    }

    /// The goals file (what a reload is logged as).
    public var path: String { goalList.file.path }

    /// Reads either file again if another process changed it; whether one did. A file that does
    /// not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool {
        let goals = try goalList.reloadIfChanged()
        let funnels = try funnelList.reloadIfChanged()
        return goals || funnels
    }

    /// The goals of `site`, in the order they were defined.
    public func goals(of site: String) -> [Goal] { goalList.entries.filter { $0.site == site } }
    /// The funnels of `site`, in the order they were defined.
    public func funnels(of site: String) -> [Funnel] { funnelList.entries.filter { $0.site == site } }

    /// Adds a goal; refused when it is invalid or its site already has one of that name.
    public func add(_ goal: Goal) throws {
        try goal.validate()
        try Self.insert(goal, into: goalList, noun: "goal")
    }

    /// Adds a funnel; refused when it is invalid or its site already has one of that name.
    public func add(_ funnel: Funnel) throws {
        try funnel.validate(goals: goals(of: funnel.site))
        try Self.insert(funnel, into: funnelList, noun: "funnel")
    }

    /// Removes a goal; whether there was one.
    public func removeGoal(site: String, name: String) throws -> Bool {
        try Self.remove(from: goalList) { $0.site == site && $0.name == name }
    }

    /// Removes a funnel; whether there was one.
    public func removeFunnel(site: String, name: String) throws -> Bool {
        try Self.remove(from: funnelList) { $0.site == site && $0.name == name }
    }

    /// Removes every goal and funnel of `site` (when the site is deleted).
    public func removeAll(site: String) throws {
        _ = try Self.remove(from: goalList) { $0.site == site }
        _ = try Self.remove(from: funnelList) { $0.site == site }
    }

    private static func insert<Entry: Named>(_ entry: Entry, into list: RegistryList<Entry>, noun: String) throws {
        let (site, name) = (entry.site, entry.name)
        let refusal: QueryError? = try list.update { entries in
            let ofSite = entries.filter { $0.site == site }
            if ofSite.contains(where: { $0.name == name }) {
                return (
                    false,
                    QueryError.invalid(
                        "\(site) already has a \(noun) named '\(name)'; remove it first or choose another name",
                        field: noun)
                )
            }
            if ofSite.count >= limit {
                return (
                    false,
                    QueryError.invalid("\(site) already has \(limit) \(noun)s, the most a site may have", field: noun)
                )
            }
            entries.append(entry)
            return (true, nil)
        }
        if let refusal { throw refusal }
    }

    private static func remove<Entry>(from list: RegistryList<Entry>, where matches: (Entry) -> Bool) throws -> Bool {
        try list.update { entries in
            let before = entries.count
            entries.removeAll(where: matches)
            return (entries.count != before, entries.count != before)
        }
    }
}

/// A definition that belongs to a site under a name.
protocol Named: Codable, Sendable {
    var site: String { get }
    var name: String { get }
}

extension Goal: Named {}
extension Funnel: Named {}
