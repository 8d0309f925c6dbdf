import Foundation
import Projections
import Testing

@testable import Query

/// What a goal or funnel definition means, and how the definitions are kept.
@Suite("goal and funnel definitions")
struct GoalDefinitionTests {
    static func matches(_ pattern: String, _ path: String) throws -> Bool {
        let regex = try NSRegularExpression(pattern: try PathPattern(pattern).regularExpression)
        return regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }

    @Test(
        "* matches within one path segment, ** across segments, everything else literally and whole",
        arguments: [
            ("/blog/**", "/blog/a", true), ("/blog/**", "/blog/a/b/c", true), ("/blog/**", "/blogger", false),
            ("/product/*/buy", "/product/42/buy", true), ("/product/*/buy", "/product/4/2/buy", false),
            ("/product/*/buy", "/product/42/buy/now", false), ("/*", "/pricing", true), ("/*", "/docs/a", false),
            ("/a.html", "/a.html", true), ("/a.html", "/aXhtml", false), ("/x(1)", "/x(1)", true),
            ("/", "/", true), ("/", "/about", false), ("/**/buy", "/a/b/buy", true),
        ])
    func pathPatterns(pattern: String, path: String, expected: Bool) throws {
        #expect(try Self.matches(pattern, path) == expected, "\(pattern) on \(path)")
    }

    @Test("a pattern must start with /")
    func patternNeedsSlash() {
        #expect(throws: QueryError.self) { try PathPattern("blog/**") }
        #expect(throws: QueryError.self) { try Goal.page(site: "s", "*.pdf").validate() }
    }

    @Test("goal is NAME means the defined goal; other names keep meaning the custom event")
    func expansion() throws {
        let goals = [
            Goal.event(site: "s", "Purchase", properties: ["plan": "pro"], name: "Pro"),
            Goal.page(site: "s", "/blog/**"),
        ]
        let pro = try goals[0].filter()
        let blog = try goals[1].filter()
        #expect(try Filter(commandLine: "goal==Pro").expandingGoals(goals) == pro)
        #expect(try Filter(commandLine: "goal!=Visit /blog/**").expandingGoals(goals) == .not(blog))
        #expect(
            try Filter(commandLine: "goal==Pro|Signup").expandingGoals(goals)
                == .or([pro, .compare(.init(op: .is, dimension: .goal, values: ["Signup"]))]))
        let events = try Filter(commandLine: "goal==Signup")
        #expect(try events.expandingGoals(goals) == events)
        #expect(try Filter(commandLine: "goal~=Pro").expandingGoals(goals) == Filter(commandLine: "goal~=Pro"))
    }

    @Test("an event goal without conditions is answered from the stored cells; with conditions from the visit tables")
    func goalPlans() throws {
        let goals = [Goal.event(site: "s", "Signup"), Goal.event(site: "s", "Purchase", properties: ["plan": "pro"])]
        func path(_ text: String) throws -> QueryPlanTests.Path {
            try QueryPlanTests.path(
                QueryRequest(site: "s", filter: try Filter(commandLine: text).expandingGoals(goals)))
        }
        #expect(try path("goal==Signup") == .rollupsSelecting(.goal))
        #expect(try path("goal==Purchase") == .visits)
    }

    @Test("a funnel has 2 to 8 steps that parse, and says which step is wrong")
    func funnelValidation() throws {
        #expect(throws: QueryError.self) { try Funnel(site: "s", name: "F", steps: ["page==/"]).validate(goals: []) }
        #expect(throws: QueryError.self) {
            try Funnel(site: "s", name: "F", steps: Array(repeating: "page==/", count: 9)).validate(goals: [])
        }
        do {
            try Funnel(site: "s", name: "F", steps: ["page==/", "nonsense"]).validate(goals: [])
            Issue.record("a step that does not parse was accepted")
        } catch let error as QueryError {
            #expect(error.message.contains("step 2"), "\(error.message)")
        }
        try Funnel(site: "s", name: "F", steps: ["page==/", "goal==Signup"]).validate(goals: [])
        #expect(
            Funnel(site: "s", name: "F", steps: ["page==/", "goal==Signup", "page~=/x"]).labels == [
                "Visit /", "Signup", "page~=/x",
            ])
    }

    @Test("definitions are kept per site by name; another process's change is read back")
    func store() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("goals-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DefinitionStore(folder: folder)
        try store.add(Goal.event(site: "a.com", "Signup"))
        try store.add(Goal.event(site: "b.com", "Signup"))
        #expect(throws: QueryError.self) { try store.add(Goal.page(site: "a.com", "/x", name: "Signup")) }
        // Another process (the CLI beside a server) adds a funnel; the first store reads it back.
        try DefinitionStore(folder: folder).add(Funnel(site: "a.com", name: "F", steps: ["page==/", "goal==Signup"]))
        #expect(store.funnels(of: "a.com").isEmpty)
        #expect(try store.reloadIfChanged())
        #expect(store.funnels(of: "a.com").map(\.name) == ["F"])
        #expect(try store.removeGoal(site: "a.com", name: "Signup"))
        #expect(try !store.removeGoal(site: "a.com", name: "Signup"))
        #expect(store.goals(of: "b.com").count == 1)
        // A damaged file is refused and what was read stays.
        try "{not json".write(toFile: folder + "/goals.json", atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try store.reloadIfChanged() }
        #expect(store.goals(of: "b.com").count == 1)
    }
}

/// Which days an e-mail report covers.
@Suite("report periods")
struct ReportPeriodTests {
    static func day(_ iso: String) -> Int64 { DayKey.day(fromISODate: iso)! }

    @Test("the last whole week is Monday to Sunday before this week; the last whole month the month before")
    func lastComplete() {
        // 2026-12-03 is a Thursday.
        #expect(
            ReportPeriod.week.lastComplete(before: Self.day("2026-12-03")) == Self.day(
                "2026-11-23")...Self.day("2026-11-29"))
        #expect(
            ReportPeriod.week.lastComplete(before: Self.day("2026-11-30")) == Self.day(
                "2026-11-23")...Self.day("2026-11-29"))
        #expect(
            ReportPeriod.month.lastComplete(before: Self.day("2026-12-03")) == Self.day(
                "2026-11-01")...Self.day("2026-11-30"))
        #expect(
            ReportPeriod.month.lastComplete(before: Self.day("2024-03-01")) == Self.day(
                "2024-02-01")...Self.day("2024-02-29"))
        #expect(ReportPeriod.month.name(of: Self.day("2026-11-01")...Self.day("2026-11-30")) == "November 2026")
    }
}
