import Foundation
import Testing

/// `infinity query` against DuckDB over the same records (`journal dump`), with the definitions of
/// Docs/projections.md written as SQL in Oracle/oracle.py. Counts must match exactly; rates to
/// 0.1 percentage point (or 0.1 s, 0.01 views per visit).
@Suite("Query answers equal DuckDB over the dumped records", .serialized)
struct QueryOracleTests {
    static let python: String? = {
        if let configured = ProcessInfo.processInfo.environment["INFINITY_ORACLE_PYTHON"] { return configured }
        let local = BuiltBinary.packageRoot.appendingPathComponent(".build/oracle/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }()

    /// The questions, as Stats API v2 requests, one per line of Oracle/cases.jsonl (shared with
    /// Benchmarks/scale-out, which times them on both engines): every metric, every dimension, each
    /// filter operator, and/or/not, series in every bucket, both sites' zones, comparisons.
    static let cases: [String] = {
        let path = BuiltBinary.packageRoot.appendingPathComponent("Tests/InfinityCLITests/Oracle/cases.jsonl").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }()

    @Test("at least 30 queries: every metric, every dimension, each filter operator, series, comparisons")
    func everyAnswerMatchesDuckDB() throws {
        let fixture = try OracleFixture()
        #expect(Self.cases.count >= 30)
        var checkedRows = 0
        for index in Self.cases.indices {
            checkedRows += try fixture.compare(case: index, answer: try fixture.answer(case: index))
        }
        #expect(checkedRows > 1000, "compared \(checkedRows) rows")
    }

    /// Time on page and scroll depth (engagement reports), which only the embedded engine counts.
    static let engagementCases = [
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "pageviews", "time_on_page", "scroll_depth"], "dimensions": ["event:page"]}"#,
        #"{"site_id": "shop.example", "date_range": ["2026-10-29", "2026-11-04"], "metrics": ["time_on_page", "scroll_depth", "bounce_rate", "visit_duration"], "include": {"comparisons": {"mode": "previous_period"}}}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "time_on_page", "scroll_depth"], "dimensions": ["visit:country"], "filters": [["contains", "event:page", ["/blog"]]]}"#,
        #"{"site_id": "shop.example", "date_range": ["2026-11-01", "2026-11-01"], "metrics": ["pageviews", "time_on_page"], "dimensions": ["time:hour"]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["scroll_depth"], "dimensions": ["visit:source"], "filters": [["is_not", "visit:country", ["US"]]]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "scroll_depth", "time_on_page"], "dimensions": ["visit:entry_page"]}"#,
        #"{"site_id": "example.com", "date_range": ["2026-10-25", "2026-11-07"], "metrics": ["visitors", "time_on_page"], "filters": [["is", "event:goal", ["Signup"]]]}"#,
    ]

    @Test("time on page and scroll depth equal DuckDB's, and engagement reports change no other number")
    func engagementMatchesDuckDB() throws {
        let fixture = try OracleFixture(oracle: false)
        try ("[" + Self.engagementCases.joined(separator: ",\n") + "]").write(
            toFile: fixture.data.path + "/engagement-cases.json", atomically: true, encoding: .utf8)
        let expected = try OracleFixture.oracle(data: fixture.data.path, cases: "engagement-cases.json")
        var checked = 0
        var measured = 0
        for (index, body) in Self.engagementCases.enumerated() {
            let answer = try fixture.answer(body, label: "engagement\(index)")
            let metrics = try #require(
                (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["metrics"] as? [String])
            let ours = try #require(answer["results"] as? [[String: Any]])
            checked += try Self.compare(
                ours, try #require(expected[index]["results"] as? [[String: Any]]), metrics: metrics,
                label: "engagement \(index)", comparison: false)
            if let previous = expected[index]["previous"] as? [[String: Any]] {
                checked += try Self.compare(
                    ours, previous, metrics: metrics, label: "engagement \(index) previous", comparison: true)
            }
            measured +=
                ours.filter { row in
                    zip(metrics, row["metrics"] as? [Any] ?? []).contains { $0.0 == "time_on_page" && $0.1 is NSNumber }
                }.count
        }
        #expect(checked > 200, "compared \(checked) rows")
        #expect(measured > 100, "rows with a time on page: \(measured)")
    }

    /// Compares our rows with the oracle's; rows the oracle lacks must be all zero (empty time buckets).
    static func compare(
        _ ours: [[String: Any]], _ theirs: [[String: Any]], metrics: [String], label: String, comparison: Bool
    ) throws -> Int {
        func values(_ row: [String: Any]) -> [Double?] {
            let source = comparison ? (row["comparison"] as? [String: Any])?["metrics"] : row["metrics"]
            return (source as? [Any] ?? []).map { $0 as? Double ?? ($0 as? Int).map(Double.init) }
        }
        var expected: [[String]: [Double?]] = [:]
        for row in theirs {
            expected[(row["dimensions"] as? [Any] ?? []).map { "\($0)" }] = (row["metrics"] as? [Any] ?? []).map {
                $0 as? Double ?? ($0 as? Int).map(Double.init)
            }
        }
        if comparison, let first = ours.first, let labels = first["dimensions"] as? [String], labels.count == 1,
            labels[0].count == 10, labels[0].dropFirst(4).first == "-"
        {
            // A daily series is compared bucket by bucket: the n-th day with the n-th day before.
            let previousLabels = expected.keys.map { $0[0] }.sorted()
            let currentLabels = ours.compactMap { ($0["dimensions"] as? [String])?.first }.sorted()
            var relabelled: [[String]: [Double?]] = [:]
            for (index, label) in previousLabels.enumerated() where index < currentLabels.count {
                relabelled[[currentLabels[index]]] = expected[[label]]
            }
            expected = relabelled
        }
        var seen = Set<[String]>()
        for row in ours {
            let key = row["dimensions"] as? [String] ?? []
            seen.insert(key)
            let got = values(row)
            guard let want = expected[key] else {
                #expect(got.allSatisfy { ($0 ?? 0) == 0 }, "\(label) \(key): we have \(got), DuckDB has no such row")
                continue
            }
            for (index, metric) in metrics.enumerated() {
                let tolerance: Double =
                    switch metric {
                    case "bounce_rate", "conversion_rate", "percentage", "visit_duration", "time_on_page",
                        "scroll_depth":
                        0.1
                    case "views_per_visit", "revenue": 0.01
                    default: 0
                    }
                let (a, b) = (got[index], want[index])
                let same = (a == nil && b == nil) || (a != nil && b != nil && abs(a! - b!) <= tolerance)
                #expect(
                    same, "\(label) \(key) \(metric): ours \(String(describing: a)), DuckDB \(String(describing: b))")
            }
        }
        let missing = Set(expected.keys).subtracting(seen)
        #expect(missing.isEmpty, "\(label): rows DuckDB has and we lack: \(missing.prefix(5))")
        return ours.count
    }
}

/// Two weeks of generated hits for two sites (one in New York), rebuilt, dumped, and the DuckDB
/// oracle's answers to every case of ``QueryOracleTests/cases``.
struct OracleFixture {
    let data = TemporaryDirectory()
    let expected: [[String: Any]]

    /// The fixture; without `oracle`, DuckDB is not asked (``expected`` stays empty).
    init(oracle: Bool = true) throws {
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--site", "shop.example@America/New_York",
            "--days", "14", "--hits-per-day", "1500", "--start", "2026-10-25", "--sync", "none", "--engagement", "0.5",
        ])
        try #require(generated.status == 0, "\(generated.stderr)")
        let rebuilt = try CLI.run(["rebuild", "--data", data.path])
        try #require(rebuilt.status == 0, "\(rebuilt.stderr)")
        let dump = try CLI.run(["journal", "dump", "--data", data.path, "--format", "ndjson"])
        try dump.stdout.write(toFile: data.path + "/hits.ndjson", atomically: true, encoding: .utf8)
        try #"{"example.com": "UTC", "shop.example": "America/New_York"}"#.write(
            toFile: data.path + "/zones.json", atomically: true, encoding: .utf8)
        try ("[" + QueryOracleTests.cases.joined(separator: ",\n") + "]").write(
            toFile: data.path + "/cases.json", atomically: true, encoding: .utf8)
        expected = oracle ? try Self.oracle(data: data.path, cases: "cases.json") : []
    }

    /// DuckDB's answers to the cases in `<data>/CASES` (a JSON list of Stats API requests), with
    /// the goals and funnels of `<data>/DEFINITIONS` if given.
    static func oracle(data: String, cases: String, definitions: String? = nil) throws -> [[String: Any]] {
        let python = try #require(
            QueryOracleTests.python,
            "DuckDB is needed: run `make test` (it installs it into .build/oracle) or set INFINITY_ORACLE_PYTHON")
        let oracle = Process()
        oracle.executableURL = URL(fileURLWithPath: python)
        oracle.arguments =
            [
                BuiltBinary.packageRoot.appendingPathComponent("Tests/InfinityCLITests/Oracle/oracle.py").path,
                data + "/hits.ndjson", data + "/zones.json", data + "/" + cases,
            ] + (definitions.map { [data + "/" + $0] } ?? [])
        let out = Pipe()
        oracle.standardOutput = out
        try oracle.run()
        let expectedData = out.fileHandleForReading.readDataToEndOfFile()
        oracle.waitUntilExit()
        try #require(oracle.terminationStatus == 0, "the DuckDB oracle failed")
        return try #require(try JSONSerialization.jsonObject(with: expectedData) as? [[String: Any]])
    }

    /// `infinity query --json` for one case, with `arguments` added; the parsed answer.
    func answer(case index: Int, arguments: [String] = []) throws -> [String: Any] {
        try answer(QueryOracleTests.cases[index], label: "case\(index)", arguments: arguments)
    }

    /// `infinity query --json` for one Stats API request body; the parsed answer.
    func answer(_ body: String, label: String, arguments: [String] = []) throws -> [String: Any] {
        let file = data.path + "/\(label).json"
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        let command = ["query", "--data", data.path, "--json", file, "--format", "json"] + arguments
        var run = try CLI.run(command)
        // A ClickHouse server of the suite's own, started beside all the other suites on two
        // cores, has once in several runs spent a question's whole 30 s budget (CI and fresh
        // clones, a different case each time), or left the client's request to time out. The
        // answers are what this compares, so a question that ran out of time on either side is
        // asked once more; a wrong or refused answer is never retried.
        let timedOut =
            run.stderr.contains("ClickHouse stopped the query after its time budget")
            || run.stderr.contains("NSURLErrorDomain error -1001")
        if run.status != 0, timedOut {
            run = try CLI.run(command)
        }
        try #require(run.status == 0, "\(label): \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// Expects two answers to one case to have the same rows and totals, exactly.
    static func expectSameRows(_ local: [String: Any], _ remote: [String: Any], label: String) throws {
        for part in ["results", "totals"] {
            let ours = try JSONSerialization.data(withJSONObject: local[part] ?? [], options: .sortedKeys)
            let theirs = try JSONSerialization.data(withJSONObject: remote[part] ?? [], options: .sortedKeys)
            #expect(
                ours == theirs,
                "\(label) \(part): embedded \(String(decoding: ours.prefix(300), as: UTF8.self)), other \(String(decoding: theirs.prefix(300), as: UTF8.self))"
            )
        }
    }

    /// Compares an answer to one case with DuckDB's (and its comparison period's); the rows compared.
    func compare(case index: Int, answer: [String: Any], label: String = "case") throws -> Int {
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(QueryOracleTests.cases[index].utf8)) as? [String: Any])
        let metrics = try #require(body["metrics"] as? [String])
        let rows = try #require(answer["results"] as? [[String: Any]])
        var checked = try QueryOracleTests.compare(
            rows, try #require(expected[index]["results"] as? [[String: Any]]), metrics: metrics,
            label: "\(label) \(index)", comparison: false)
        if let previous = expected[index]["previous"] as? [[String: Any]] {
            checked += try QueryOracleTests.compare(
                rows, previous, metrics: metrics, label: "\(label) \(index) previous", comparison: true)
        }
        return checked
    }
}
