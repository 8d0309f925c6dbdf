import Foundation
import Testing

/// Goals and funnels defined with the CLI, answered by `infinity query`, against DuckDB over the
/// same dumped records with the same definitions (Oracle/oracle.py writes each goal and each
/// funnel step as its own SQL).
@Suite("Goals and funnels equal DuckDB over the dumped records", .serialized)
struct GoalOracleTests {
    /// Funnels: the CLI's steps and the same steps as Stats API filters for the oracle.
    static let funnels: [(site: String, name: String, steps: [(cli: String, json: String)])] = [
        (
            "example.com", "Signup",
            [
                ("page==/", #"["is", "page", ["/"]]"#), ("page==/pricing", #"["is", "page", ["/pricing"]]"#),
                ("goal==Signup", #"["is", "goal", ["Signup"]]"#),
            ]
        ),
        (
            "example.com", "Home twice",
            [("page==/", #"["is", "page", ["/"]]"#), ("page==/", #"["is", "page", ["/"]]"#)]
        ),
        (
            "shop.example", "Docs to download",
            [
                ("page~=/DOCS", #"["contains", "page", ["/DOCS"]]"#),
                ("goal==Setup docs", #"["is", "goal", ["Setup docs"]]"#),
                ("goal==Download|Outbound Link: Click", #"["is", "goal", ["Download", "Outbound Link: Click"]]"#),
            ]
        ),
    ]

    /// The questions: breakdowns by defined goals (with and without a time series), goal filters
    /// answered from rollups (a plain event goal), visit tables (property conditions, page
    /// patterns) and mixed with event names, and each funnel.
    static let cases: [String] = [
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "visits", "events", "pageviews", "conversion_rate", "revenue"], "dimensions": ["event:goal"]}"#,
        #"{"site_id": "shop.example", "date_range": ["2026-10-28", "2026-11-03"], "metrics": ["visitors", "events", "conversion_rate"], "dimensions": ["time:day", "event:goal"]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "visits", "pageviews", "bounce_rate", "conversion_rate"], "filters": [["is", "event:goal", ["Visit /blog/**"]]]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "events", "conversion_rate"], "dimensions": ["visit:source"], "filters": [["is", "event:goal", ["Signup"]]]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "events", "revenue", "conversion_rate"], "dimensions": ["visit:country"], "filters": [["is", "event:goal", ["Pro purchase", "Download"]]]}"#,
        #"{"site_id": "shop.example", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "pageviews"], "dimensions": ["event:page"], "filters": [["is", "event:goal", ["Setup docs"]]]}"#,
        #"{"site_id": "shop.example", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "visits", "events"], "filters": [["is_not", "event:goal", ["Visit /docs/**"]], ["is", "visit:device", ["Desktop"]]]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "visits", "pageviews", "conversion_rate"], "dimensions": ["visit:device"], "filters": [["is", "event:goal", ["Scroll 60% on /blog/**"]]]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "funnel": "Signup"}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "funnel": "Home twice"}"#,
        #"{"site_id": "shop.example", "date_range": ["2026-10-25", "2026-11-07"], "funnel": "Docs to download"}"#,
    ]

    /// Defines the goals and funnels of these tests in the data folder `data`, with the CLI.
    static func define(in data: String) throws {
        for goal in [
            ["example.com", "--event", "Signup"],
            ["example.com", "--event", "Purchase", "--property", "plan=pro", "--name", "Pro purchase"],
            ["example.com", "--page", "/blog/**"],
            ["example.com", "--page", "/*", "--name", "Top level"],
            ["shop.example", "--page", "/docs/*/setup", "--name", "Setup docs"],
            ["shop.example", "--page", "/docs/**"],
            ["shop.example", "--event", "Signup", "--property", "plan=free"],
        ] {
            let added = try CLI.run(["goals", "add", "--data", data] + goal)
            try #require(added.status == 0, "\(added.stderr)")
        }
        for funnel in Self.funnels {
            let added = try CLI.run(
                ["funnels", "add", "--data", data, funnel.site, funnel.name]
                    + funnel.steps.flatMap { ["--step", $0.cli] })
            try #require(added.status == 0, "\(added.stderr)")
        }
    }

    @Test("defined goals and funnels count exactly what DuckDB counts from their definitions")
    func goalsAndFunnelsMatchDuckDB() throws {
        let fixture = try OracleFixture(oracle: false)
        let data = fixture.data.path
        try Self.define(in: data)
        // A scroll-depth goal too (ClickHouse, which shares `define`, does not count those).
        let scroll = try CLI.run([
            "goals", "add", "--data", data, "example.com", "--page", "/blog/**", "--scroll", "60",
        ])
        try #require(scroll.status == 0, "\(scroll.stderr)")
        // The oracle reads the goals as the CLI lists them, and the funnels' steps as filters.
        var goals: [Any] = []
        for site in ["example.com", "shop.example"] {
            let listed = try CLI.run(["goals", "list", site, "--data", data, "--format", "json"])
            goals += try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any])
        }
        let funnels = Self.funnels.map { funnel in
            #"{"site": "\#(funnel.site)", "name": "\#(funnel.name)", "steps": [\#(funnel.steps.map(\.json).joined(separator: ", "))]}"#
        }
        let goalsJSON = String(decoding: try JSONSerialization.data(withJSONObject: goals), as: UTF8.self)
        try #"{"goals": \#(goalsJSON), "funnels": [\#(funnels.joined(separator: ", "))]}"#.write(
            toFile: data + "/definitions.json", atomically: true, encoding: .utf8)
        try ("[" + Self.cases.joined(separator: ",\n") + "]").write(
            toFile: data + "/goal-cases.json", atomically: true, encoding: .utf8)
        let expected = try OracleFixture.oracle(data: data, cases: "goal-cases.json", definitions: "definitions.json")

        var compared = 0
        var funnelSteps: [[Double]] = []
        for (index, body) in Self.cases.enumerated() {
            let answer = try fixture.answer(body, label: "goal-case\(index)")
            let ours = try #require(answer["results"] as? [[String: Any]])
            let theirs = try #require(expected[index]["results"] as? [[String: Any]])
            if body.contains("\"funnel\"") {
                // Funnel rows are compared step by step, in order.
                try #require(ours.count == theirs.count, "case \(index): \(ours.count) steps, DuckDB \(theirs.count)")
                var visitors: [Double] = []
                for (step, (mine, duck)) in zip(ours, theirs).enumerated() {
                    let a = (mine["metrics"] as? [Double]) ?? []
                    let b = (duck["metrics"] as? [Any] ?? []).map { $0 as? Double ?? ($0 as? Int).map(Double.init) }
                    #expect(
                        a.first == b.first ?? nil, "case \(index) step \(step + 1) visitors: ours \(a), DuckDB \(b)")
                    if a.count == 2, let rate = b.last ?? nil {
                        #expect(abs(a[1] - rate) < 0.1, "case \(index) step \(step + 1) rate")
                    }
                    visitors.append(a.first ?? -1)
                }
                funnelSteps.append(visitors)
                compared += ours.count
            } else {
                let metrics = try #require(
                    (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["metrics"] as? [String]
                )
                compared += try QueryOracleTests.compare(
                    ours, theirs, metrics: metrics, label: "goal case \(index)", comparison: false)
            }
        }
        #expect(compared > 60, "compared \(compared) rows")

        // The same goal questions over a range of instants are answered from the journal itself,
        // and must equal the answers from the stored visit tables over the same whole days.
        for goal in ["Pro purchase", "Visit /blog/**", "Top level"] {
            func rows(_ range: String) throws -> (path: String, results: Data) {
                let run = try CLI.run([
                    "query", "example.com", "--data", data, "--range", range, "--filter", "goal==\(goal)", "--by",
                    "country", "--metrics", "visitors,visits,pageviews,events,bounce_rate,conversion_rate", "--format",
                    "json",
                ])
                try #require(run.status == 0, "\(run.stderr)")
                let answer = try #require(
                    try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
                let meta = try #require(answer["meta"] as? [String: Any])
                return (
                    meta["path"] as? String ?? "",
                    try JSONSerialization.data(withJSONObject: answer["results"] ?? [], options: .sortedKeys)
                )
            }
            let fromJournal = try rows("2026-10-25T00:00..2026-11-08T00:00")
            let fromVisits = try rows("2026-10-25..2026-11-07")
            #expect(
                fromJournal.path == "journal" && fromVisits.path == "visits", "\(fromJournal.path), \(fromVisits.path)")
            #expect(fromJournal.results == fromVisits.results, "\(goal): the journal and the visit tables differ")
            #expect(fromVisits.results.count > 100, "\(goal) should have conversions in several countries")
        }
        // The data has visits through every funnel, and fewer at each later step.
        for steps in funnelSteps {
            #expect(steps.last ?? 0 > 0, "a funnel nobody completed proves little: \(steps)")
            #expect(steps == steps.sorted(by: >), "a later step cannot have more visitors: \(steps)")
        }
    }
}
