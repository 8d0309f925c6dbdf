import Foundation
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
}
