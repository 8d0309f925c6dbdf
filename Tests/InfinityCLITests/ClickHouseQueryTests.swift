import Foundation
import Testing

/// `infinity query --clickhouse`: the same questions answered from the hits replicated into a real
/// ClickHouse, equal to the embedded engine's answers and to DuckDB's.
@Suite("Queries answered from ClickHouse", .serialized)
struct ClickHouseQueryTests {
    static func database() -> String { "q_\(UUID().uuidString.prefix(8).lowercased())" }

    static func replicate(_ data: TemporaryDirectory, _ server: ClickHouseServer, _ database: String) throws {
        let run = try CLI.run([
            "replicate", "--data", data.path, "--clickhouse", server.url, "--database", database, "--node", "n1",
            "--once",
        ])
        try #require(run.status == 0, "\(run.stderr)")
    }

    @Test("every oracle query: ClickHouse's rows and totals equal the embedded engine's, and DuckDB's")
    func everyOracleQueryMatches() async throws {
        let server = try ClickHouseServer.shared()
        let fixture = try OracleFixture()
        let database = Self.database()
        try Self.replicate(fixture.data, server, database)
        var checkedRows = 0
        for index in QueryOracleTests.cases.indices {
            let local = try fixture.answer(case: index)
            let remote = try fixture.answer(
                case: index, arguments: ["--clickhouse", server.url, "--clickhouse-database", database])
            #expect((remote["meta"] as? [String: Any])?["path"] as? String == "clickhouse")
            try OracleFixture.expectSameRows(local, remote, label: "case \(index)")
            checkedRows += try fixture.compare(case: index, answer: remote, label: "ClickHouse case")
        }
        #expect(checkedRows > 1000, "compared \(checkedRows) rows")
        _ = try await server.query("DROP DATABASE \(database)")
    }

    @Test("defined goals are answered by ClickHouse exactly as by the embedded engine; a funnel is refused clearly")
    func definedGoalsMatch() async throws {
        let server = try ClickHouseServer.shared()
        let fixture = try OracleFixture(oracle: false)
        try GoalOracleTests.define(in: fixture.data.path)
        let database = Self.database()
        try Self.replicate(fixture.data, server, database)
        let remoteArguments = ["--clickhouse", server.url, "--clickhouse-database", database]
        for (index, body) in GoalOracleTests.cases.enumerated()
        where !body.contains("\"funnel\"") && !body.contains("Scroll ") {
            let local = try fixture.answer(body, label: "goal-case\(index)")
            let remote = try fixture.answer(body, label: "goal-case\(index)", arguments: remoteArguments)
            #expect((remote["meta"] as? [String: Any])?["path"] as? String == "clickhouse")
            try OracleFixture.expectSameRows(local, remote, label: "goal case \(index)")
        }
        let funnel = try CLI.run(
            ["query", "example.com", "--data", fixture.data.path, "--funnel", "Signup"] + remoteArguments)
        #expect(
            funnel.status != 0 && funnel.stderr.contains("counted by the embedded engine only"),
            "\(funnel.stderr)")
        _ = try await server.query("DROP DATABASE \(database)")
    }

    @Test("rows an older build replicated with whole 64-bit visitor ids count as the visitors their 48-bit ids are")
    func wholeVisitorIDsOfOlderReplicas() async throws {
        let server = try ClickHouseServer.shared()
        let data = TemporaryDirectory()
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--days", "2", "--hits-per-day", "3000",
            "--start", "2026-11-01", "--sync", "none", "--progress", "none",
        ])
        try #require(generated.status == 0, "\(generated.stderr)")
        let current = Self.database()
        let older = Self.database()
        try Self.replicate(data, server, current)
        // What a build before 48-bit ids replicated: the same rows, the mornings' with whole hashes,
        // so that a visitor seen before and after noon has two ids unless they are cut alike.
        _ = try await server.query("CREATE DATABASE \(older)")
        _ = try await server.query("CREATE TABLE \(older).infinity_hits_v1 AS \(current).infinity_hits_v1")
        let names = try await server.query(
            "SELECT name FROM system.columns WHERE database = '\(current)' AND table = 'infinity_hits_v1' FORMAT TabSeparated"
        )
        let columns = names.split(separator: "\n").map {
            $0 == "visitor_id"
                ? "if(intDiv(time_ms, 3600000) % 24 < 12, bitOr(visitor_id, \(UInt64(0xA5A5) << 48)), visitor_id)"
                : String($0)
        }
        #expect(columns.contains { $0.hasPrefix("if(") })
        _ = try await server.query(
            "INSERT INTO \(older).infinity_hits_v1 SELECT \(columns.joined(separator: ", ")) FROM \(current).infinity_hits_v1"
        )
        let whole = try await server.query(
            "SELECT countIf(visitor_id > \(0xFFFF_FFFF_FFFF)) FROM \(older).infinity_hits_v1 FORMAT TabSeparated")
        #expect((Int(whole) ?? 0) > 1_000, "rows with whole ids: \(whole)")
        let base = [
            "query", "example.com", "--data", data.path, "--range", "2026-11-01..2026-11-02", "--format", "csv",
        ]
        for question in Self.visitorQuestions {
            let embedded = try CLI.run(base + question)
            let answer = try CLI.run(base + question + ["--clickhouse", server.url, "--clickhouse-database", current])
            let fromOlder = try CLI.run(base + question + ["--clickhouse", server.url, "--clickhouse-database", older])
            #expect(answer.status == 0 && fromOlder.status == 0, "\(answer.stderr) \(fromOlder.stderr)")
            #expect(embedded.stdout == answer.stdout, "\(question)")
            #expect(fromOlder.stdout == answer.stdout, "\(question): \(fromOlder.stdout) against \(answer.stdout)")
        }
        _ = try await server.query("DROP DATABASE \(current)")
        _ = try await server.query("DROP DATABASE \(older)")
    }

    static let visitorQuestions = [
        ["--metrics", "visitors,visits,pageviews"], ["--by", "country", "--metrics", "visitors,visits"],
        ["--by", "page", "--metrics", "visitors,pageviews", "--limit", "20"],
    ]

    /// Paths with a quote, a backslash, an escaped tab and SQL in them, imported from an access log
    /// (where a backslash is written `\\`).
    static let awkwardPaths = [#"/o'brien"#, #"/back\slash"#, "/x');DROP/**/TABLE/**/t;--", #"/a\'b"#, "/tab%09here"]

    @Test("values with quotes, backslashes and SQL in them are compared as text, never run as SQL")
    func awkwardValuesStayText() async throws {
        let server = try ClickHouseServer.shared()
        let data = TemporaryDirectory()
        let added = try CLI.run(["sites", "add", "example.com", "--timezone", "UTC", "--data", data.path])
        try #require(added.status == 0, "\(added.stderr)")
        var log = ""
        for (index, path) in Self.awkwardPaths.enumerated() {
            for visitor in 0...index {
                log +=
                    "10.0.\(index).\(visitor) - - [02/Nov/2026:10:0\(visitor):00 +0000] \"GET \(path.replacingOccurrences(of: "\\", with: "\\\\")) HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\"\n"
            }
        }
        try log.write(toFile: data.path + "/access.log", atomically: true, encoding: .utf8)
        let imported = try CLI.run([
            "import", "access-log", data.path + "/access.log", "--site", "example.com", "--data", data.path, "--format",
            "combined",
        ])
        try #require(imported.status == 0, "\(imported.stderr)")
        let database = Self.database()
        try Self.replicate(data, server, database)
        let remote = ["--clickhouse", server.url, "--clickhouse-database", database]
        let base = ["query", "example.com", "--data", data.path, "--range", "2026-11-02", "--format", "csv"]
        let local = try CLI.run(base + ["--by", "page"])
        let fromClickHouse = try CLI.run(base + ["--by", "page"] + remote)
        #expect(fromClickHouse.status == 0, "\(fromClickHouse.stderr)")
        #expect(local.stdout == fromClickHouse.stdout)
        #expect(local.stdout.split(separator: "\n").count == Self.awkwardPaths.count + 1, "\(local.stdout)")
        for filter in [
            #"page==/o'brien"#, #"page==/back\slash"#, "page~=drop/**/table", #"page=~\\"#, #"page!=/a\'b"#,
            "page~=%09",
        ] {
            let expected = try CLI.run(base + ["--filter", filter, "--metrics", "visitors,pageviews"])
            let answer = try CLI.run(base + ["--filter", filter, "--metrics", "visitors,pageviews"] + remote)
            #expect(answer.status == 0, "\(filter): \(answer.stderr)")
            #expect(
                expected.stdout == answer.stdout, "\(filter): embedded \(expected.stdout), ClickHouse \(answer.stdout)")
            #expect(!expected.stdout.hasSuffix(",0\n"), "\(filter) matched nothing: \(expected.stdout)")
        }
        // The table is still there, with every row.
        let rows = try await server.query("SELECT count() FROM \(database).infinity_hits_v1")
        #expect(Int(rows) == (1...Self.awkwardPaths.count).reduce(0, +))
        _ = try await server.query("DROP DATABASE \(database)")
    }

    @Test("no table yet, a bad regular expression, an unreachable server: one clear message each")
    func faultsAreExplained() throws {
        let server = try ClickHouseServer.shared()
        let data = TemporaryDirectory()
        let added = try CLI.run(["sites", "add", "example.com", "--data", data.path])
        try #require(added.status == 0, "\(added.stderr)")
        let empty = try CLI.run([
            "query", "example.com", "--data", data.path, "--clickhouse", server.url, "--clickhouse-database",
            Self.database(), "--by", "page",
        ])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("infinity replicate --clickhouse"), "\(empty.stderr)")
        let regex = try CLI.run([
            "query", "example.com", "--data", data.path, "--clickhouse", server.url, "--filter", "page=~(a+)+",
        ])
        #expect(regex.status != 0)
        #expect(regex.stderr.contains("regular expression"), "\(regex.stderr)")
        let unreachable = try CLI.run([
            "query", "example.com", "--data", data.path, "--clickhouse", "http://127.0.0.1:9", "--by", "page",
        ])
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("cannot reach ClickHouse at http://127.0.0.1:9"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        // A server told to answer from ClickHouse without one to ask refuses to start, naming the flag.
        let serve = try CLI.run(["serve", "--data", data.path, "--listen", "127.0.0.1:0", "--query-from", "clickhouse"])
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("--clickhouse http://"), "\(serve.stderr)")
    }
}
