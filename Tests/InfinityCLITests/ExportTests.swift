import Foundation
import InfinityTestSupport
import Testing

/// `infinity export`: a site's hits, as many as the query counts, with nothing identifying in them.
@Suite("infinity export")
struct ExportTests {
    @Test("CSV and NDJSON hold every hit of the site's local days, as many as query counts, and no visitor id")
    func exportsEveryHitOfTheRange() throws {
        let data = TemporaryDirectory()
        _ = try CLI.run(["sites", "add", "example.com", "--data", data.path])
        _ = try CLI.run(["sites", "add", "shop.example", "--timezone", "America/New_York", "--data", data.path])
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--site", "shop.example@America/New_York",
            "--days", "4", "--hits-per-day", "600", "--start", "2026-11-01", "--progress", "none", "--sync", "none",
        ])
        try #require(generated.status == 0, "\(generated.stderr)")
        let range = "2026-11-02..2026-11-03"
        let counted = try CLI.run([
            "query", "shop.example", "--data", data.path, "--range", range, "--metrics", "pageviews,events", "--format",
            "csv",
        ])
        let totals = counted.stdout.split(separator: "\n")[1].split(separator: ",").compactMap { Int($0) }
        let expected = try #require(totals.count == 2 ? totals[0] + totals[1] : nil)

        let csvPath = data.path + "/export.csv"
        let csv = try CLI.run([
            "export", "shop.example", "--data", data.path, "--range", range, "--format", "csv", "--output", csvPath,
        ])
        #expect(csv.status == 0 && csv.stderr.contains("Exported \(expected) hits"), "\(csv.stderr)")
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == expected + 1)
        #expect(lines.first?.hasPrefix("time,site,hostname,pathname,name,") == true)
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",")[1] == "shop.example" })

        let ndjson = try CLI.run(["export", "shop.example", "--data", data.path, "--range", range])
        let records = try ndjson.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.count == expected)
        #expect(records.allSatisfy { $0["visitor_id"] == nil && $0["seq"] == nil })
        // Site-local days: New York's 2 November starts at 05:00 UTC (EDT ends that morning).
        let times = records.compactMap { ($0["timestamp"] as? NSNumber)?.int64Value }
        #expect(times.count == expected)
        #expect(times.min() ?? 0 >= 1_793_595_600_000 && times.max() ?? .max < 1_793_768_400_000, "\(times.min() ?? 0)")
    }

    @Test("an exported access log holds none of its client addresses or user agents")
    func nothingIdentifyingLeaves() throws {
        let data = TemporaryDirectory()
        _ = try CLI.run(["sites", "add", "elastic.example", "--data", data.path])
        let log = BuiltBinary.fixtures.appendingPathComponent("logs/elastic-apache_logs").path
        let imported = try CLI.run([
            "import", "access-log", log, "--site", "elastic.example", "--data", data.path, "--progress", "none",
        ])
        try #require(imported.status == 0, "\(imported.stderr)")
        let export = try CLI.run(["export", "elastic.example", "--data", data.path, "--format", "csv"])
        #expect(export.stdout.split(separator: "\n").count > 1000)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let addresses = Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        let agents = Set(
            text.split(separator: "\n").compactMap { line -> String? in
                let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
                return quoted.count >= 6 && quoted[5].count > 20 ? String(quoted[5]) : nil
            })
        #expect(addresses.count > 1000 && agents.count > 100)
        let leaked = addresses.filter { export.stdout.contains($0 + ",") || export.stdout.contains($0 + "\"") }
        #expect(leaked.isEmpty, "\(leaked.prefix(5))")
        #expect(agents.filter { export.stdout.contains($0) }.isEmpty)
    }

    @Test("parquet: DuckDB reads every hit of the CSV export back, typed, over several row groups")
    func parquetReadsBackInDuckDB() throws {
        let python = try #require(
            QueryOracleTests.python, "DuckDB is needed: run `make test` (it installs it into .build/oracle)")
        let data = TemporaryDirectory()
        _ = try CLI.run(["sites", "add", "example.com", "--data", data.path])
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--days", "2", "--hits-per-day", "70000",
            "--start", "2026-11-01", "--progress", "none", "--sync", "none",
        ])
        try #require(generated.status == 0, "\(generated.stderr)")
        let range = "2026-11-01..2026-11-02"
        let parquet = data.path + "/hits.parquet", csv = data.path + "/hits.csv"
        for (format, path) in [("parquet", parquet), ("csv", csv)] {
            let run = try CLI.run([
                "export", "example.com", "--data", data.path, "--range", range, "--format", format, "--output", path,
            ])
            try #require(run.status == 0, "\(run.stderr)")
        }
        // The same aggregates over both files, each column's values hashed, the typed ones summed.
        let script = """
            import duckdb, json, sys
            c = duckdb.connect()
            strings = ["site","hostname","pathname","name","referrer","source","channel","utm_source","utm_medium",
                       "utm_campaign","utm_content","utm_term","country","browser","browser_version","os","os_version",
                       "device","screen"]
            def facts(relation, time):
                row = c.sql("SELECT count(*), " + ", ".join(f"sum(hash(coalesce({s}, '')))::VARCHAR" for s in strings)
                    + f", sum(epoch_ms({time}))::VARCHAR, sum(revenue_amount::BIGINT), count(revenue_amount), count(props),"
                    + " sum(interactive::BOOLEAN::INT), sum(imported::BOOLEAN::INT) FROM " + relation).fetchall()[0]
                return [str(v) for v in row]
            p = facts(f"read_parquet('{sys.argv[1]}')", "time")
            k = facts(f"read_csv('{sys.argv[2]}', header=true, all_varchar=true)", "time::TIMESTAMP")
            groups = c.sql(f"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{sys.argv[1]}')").fetchall()[0][0]
            types = {r[0]: r[1] for r in c.sql(f"DESCRIBE SELECT * FROM read_parquet('{sys.argv[1]}')").fetchall()}
            print(json.dumps({"parquet": p, "csv": k, "groups": groups, "types": types}))
            """
        let run = try PythonScript.run(python, script: script, arguments: [parquet, csv])
        try #require(run.status == 0, "\(run.errors)")
        let output = run.output
        let report = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let fromParquet = try #require(report["parquet"] as? [String]),
            fromCSV = try #require(report["csv"] as? [String])
        #expect((Int(fromParquet[0]) ?? 0) > 100_000)
        #expect(fromParquet == fromCSV)
        #expect((report["groups"] as? Int ?? 0) >= 2, "more hits than one row group holds")
        let types = try #require(report["types"] as? [String: String])
        #expect(
            types["time"] == "TIMESTAMP" && types["revenue_amount"] == "BIGINT" && types["interactive"] == "BOOLEAN")
        let parquetSize = (try FileManager.default.attributesOfItem(atPath: parquet)[.size] as? Int) ?? 0
        let csvSize = (try FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0
        #expect(parquetSize > 0 && parquetSize * 4 < csvSize, "\(parquetSize) vs \(csvSize)")
    }

    @Test("an unknown site, a wrong range and an unwritable file each get one clear message and exit 1")
    func badInput() throws {
        let data = TemporaryDirectory()
        _ = try CLI.run(["sites", "add", "example.com", "--data", data.path])
        let site = try CLI.run(["export", "nope.example", "--data", data.path])
        #expect(site.status == 1 && site.stderr.contains("not a registered site; registered: example.com"))
        let range = try CLI.run(["export", "example.com", "--data", data.path, "--range", "soon"])
        #expect(range.status == 1 && range.stderr.contains("--range:"), "\(range.stderr)")
        let file = try CLI.run(["export", "example.com", "--data", data.path, "--output", "/nonexistent/x.csv"])
        #expect(file.status == 1 && file.stderr.contains("cannot write /nonexistent/x.csv"), "\(file.stderr)")
    }

    @Test("plausible-csv: a zip of Plausible's daily tables whose numbers are the CLI's")
    func plausibleTables() throws {
        let fixture = try OracleFixture(oracle: false)
        let data = fixture.data.path
        let zip = data + "/plausible.zip"
        let run = try CLI.run([
            "export", "shop.example", "--data", data, "--range", "2026-10-26..2026-11-04", "--format", "plausible-csv",
            "--output", zip,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        // Python's zipfile unpacks it (as any unzip would); the names follow Plausible's pattern.
        let unpack = Process()
        unpack.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        unpack.arguments = [
            "-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, data + "/tables",
        ]
        try unpack.run()
        unpack.waitUntilExit()
        try #require(unpack.terminationStatus == 0, "the zip does not unpack")
        let names = try FileManager.default.contentsOfDirectory(atPath: data + "/tables").sorted()
        #expect(names.count == 10)
        #expect(names.allSatisfy { $0.hasPrefix("imported_") && $0.hasSuffix("_20261026_20261104.csv") }, "\(names)")
        func table(_ name: String) throws -> [[String]] {
            try String(contentsOfFile: data + "/tables/imported_\(name)_20261026_20261104.csv", encoding: .utf8)
                .split(separator: "\n").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                }
        }
        let visitors = try table("visitors")
        #expect(visitors.first == ["date", "visitors", "pageviews", "bounces", "visits", "visit_duration"])
        let daily = try CLI.run([
            "query", "shop.example", "--data", data, "--range", "2026-10-26..2026-11-04", "--interval", "day",
            "--metrics",
            "visitors,pageviews,visits", "--format", "csv",
        ]).stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(daily.count == 10)
        #expect(visitors.dropFirst().map { [$0[0], $0[1], $0[2], $0[4]] } == daily, "visitors per day")
        // Pages of one day: the CLI's rows, and their page views add up to the day's.
        let pages = try table("pages").dropFirst().filter { $0[0] == "2026-11-01" }
        let cliPages = try CLI.run([
            "query", "shop.example", "--data", data, "--range", "2026-11-01..2026-11-01", "--by", "page", "--metrics",
            "visits,visitors,pageviews", "--format", "csv",
        ]).stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(pages.count == cliPages.count && pages.count > 10)
        #expect(Set(pages.map { [$0[2], $0[3], $0[4], $0[5]] }) == Set(cliPages))
        #expect(pages.allSatisfy { $0[1] == "shop.example" })
        let dayPageviews = visitors.first { $0[0] == "2026-11-01" }.flatMap { Int($0[2]) }
        #expect(pages.reduce(0) { $0 + (Int($1[5]) ?? 0) } == dayPageviews)
        // Browsers are split into family and version; no engagement report is a custom event.
        #expect(try table("browsers").dropFirst().contains { $0[1] == "Microsoft Edge" && !$0[2].isEmpty })
        #expect(try !table("custom_events").contains { $0[1] == "engagement" })
    }
}
