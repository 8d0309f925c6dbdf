import Foundation
import InfinityTestSupport
import Testing

/// History imported with `infinity import plausible` while `infinity serve` runs: the server's next
/// answers include it, and the dashboard (in chromium) shows it with a switch that leaves it out.
@Suite("imported history beside a running server", .serialized)
struct ImportedHistoryServeTests {
    /// A UTC date `days` before today, `2026-10-24`.
    static func date(daysAgo days: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date().addingTimeInterval(-Double(days) * 86_400))
    }

    /// Visitors (and `imports_included`) of the dashboard's answer for all time, through a shared link.
    static func visitors(_ http: HTTPConnection, token: String) throws -> (Double, Bool?) {
        let answer = try http.request(
            "POST", "/api/dashboard/query", headers: ["X-Share-Token": token, "Content-Type": "application/json"],
            body: Array(#"{"site_id": "example.com", "metrics": ["visitors"], "date_range": "all"}"#.utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        let totals = try #require(object["totals"] as? [String: Any])
        let meta = try #require(object["meta"] as? [String: Any])
        return (
            ((totals["metrics"] as? [Any])?.first as? NSNumber)?.doubleValue ?? -1, meta["imports_included"] as? Bool
        )
    }

    /// Visitors by `infinity query` for all time (the first row of its CSV).
    static func cliVisitors(_ data: String, _ extra: [String] = []) throws -> [[String]] {
        try ServerProcess.run(
            ["query", "example.com", "--data", data, "--range", "all", "--format", "csv", "--metrics", "visitors"]
                + extra
        ).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    }

    @Test(
        "an import made while serve runs counts in its next answer, the dashboard's switch leaves it out, and the Locations map colours the CLI's countries"
    )
    func importBesideServe() throws {
        // Another tool's history: five days six weeks ago, as Plausible exports them.
        let source = ServerProcess.temporaryFolder()
        let data = ServerProcess.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(atPath: source)
            try? FileManager.default.removeItem(atPath: data)
        }
        let (first, last) = (Self.date(daysAgo: 42), Self.date(daysAgo: 38))
        _ = try ServerProcess.run([
            "generate", "--data", source, "--site", "example.com", "--days", "5", "--start", first, "--hits-per-day",
            "500", "--sync", "none", "--progress", "none",
        ])
        let zip = source + "/plausible.zip"
        _ = try ServerProcess.run([
            "export", "example.com", "--data", source, "--range", "\(first)..\(last)", "--format", "plausible-csv",
            "--output", zip,
        ])
        let history = try #require(Self.cliVisitors(source).first?.first.flatMap(Double.init))

        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "3", "--hits-per-day", "400", "--sync",
            "none", "--progress", "none",
        ])
        let share = try ServerProcess.run(["sites", "share", "example.com", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        let http = try HTTPConnection(port: server.port)
        let token = String(share.dropFirst("/share/".count))
        let (own, before) = try Self.visitors(http, token: token)
        #expect(own > 100 && before == nil)

        let imported = try ServerProcess.run(["import", "plausible", zip, "--site", "example.com", "--data", data])
        #expect(imported.contains("as import 1"))
        var latest = (0.0, Bool?.none)
        let counted = try LiveAdministrationTests.eventually {
            latest = try Self.visitors(http, token: token)
            return latest.1 == true
        }
        #expect(counted && latest.0 == own + history, "\(latest) vs \(own) + \(history)")

        // The dashboard: the CLI's numbers with imported data, and without after the switch.
        let chromium = try #require(
            BrowserTests.chromium, "chromium is needed: `make test` installs it (apt-get install chromium)")
        let python = try #require(BrowserTests.python, "`make test` installs the browser driver into .build/oracle")
        let output = try BrowserTests.drive(
            "imports_check.py", python: python, [chromium, "http://127.0.0.1:\(server.port)\(share)?range=all"])
        let report = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [String: Any]])
        let included = try #require(report["included"]), excluded = try #require(report["excluded"])
        let filtered = try #require(report["filtered"])
        #expect(included["switch_shown"] as? Bool == true && included["checked"] as? Bool == true)
        #expect((included["visitors"] as? NSNumber)?.doubleValue == own + history)
        #expect((excluded["visitors"] as? NSNumber)?.doubleValue == own)
        #expect(excluded["checked"] as? Bool == false && (excluded["url"] as? String)?.contains("imports=0") == true)
        let countries = try ServerProcess.run([
            "query", "example.com", "--data", data, "--range", "all", "--by", "country", "--limit", "3", "--format",
            "csv", "--metrics", "visitors",
        ]).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        let shown = (included["countries"] as? [[Any]] ?? []).map {
            ["\($0[0])", "\(($0[1] as? NSNumber)?.intValue ?? -1)"]
        }
        #expect(shown == countries, "\(shown) vs \(countries)")
        // Under a page filter the sources panel cannot take imported days, and says so.
        #expect(filtered["source_note"] as? Bool == true && included["source_note"] as? Bool == false)

        // The map: every country the CLI counts that the outline has, with its visitors; the
        // busiest darkest; countries without visitors unshaded; a click filters by the country.
        let map = try #require(report["map"])
        let drawn = (map["countries"] as? [[Any]] ?? []).map {
            ("\($0[0])", ($0[1] as? NSNumber)?.intValue ?? -1, ($0[2] as? NSNumber)?.doubleValue ?? -1)
        }
        #expect(drawn.count > 150, "the outline has most of the world's countries")
        let byCountry = try ServerProcess.run([
            "query", "example.com", "--data", data, "--range", "all", "--by", "country", "--format", "csv", "--metrics",
            "visitors", "--limit", "300",
        ]).split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let expected = Dictionary(
            uniqueKeysWithValues: byCountry.compactMap { row in
                row.count == 2 && !row[0].isEmpty ? (row[0], Int(row[1]) ?? -1) : nil
            })
        let onMap = Dictionary(uniqueKeysWithValues: drawn.filter { $0.1 > 0 }.map { ($0.0, $0.1) })
        #expect(onMap.count > 5 && onMap == expected.filter { code, _ in drawn.contains { $0.0 == code } })
        let busiest = try #require(drawn.max { $0.1 < $1.1 })
        #expect(busiest.2 == 1 && drawn.allSatisfy { $0.1 > 0 || $0.0 == busiest.0 || $0.2 == 1 })
        #expect(drawn.filter { $0.1 > 0 && $0.0 != busiest.0 }.allSatisfy { $0.2 < 1 })
        #expect(map["clicked"] as? String == busiest.0)
        #expect((map["url"] as? String)?.contains("f=country") == true, "\(map["url"] ?? "")")
    }

    @Test(
        "uploads and hits downloads in the dashboard are for owners with the CSRF token; a file that is not an export is refused with a message"
    )
    func uploadRefusals() throws {
        let (server, data, token) = try DashboardTests.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        let login = try http.request(
            "POST", "/api/dashboard/login", headers: ["Content-Type": "application/json"],
            body: Array(#"{"email": "owner@example.com", "password": "\#(DashboardTests.password)"}"#.utf8))
        let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let csrf = try #require(
            (try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["csrf"] as? String)
        func upload(_ headers: [String: String], site: String = "example.com", name: String, body: String) throws
            -> HTTPConnection.Response
        {
            try http.request(
                "POST", "/api/dashboard/import?site=\(site)&format=plausible-csv&name=\(name)", headers: headers,
                body: Array(body.utf8))
        }
        let owner = ["Cookie": cookie, "X-CSRF-Token": csrf]
        let table = "date,visitors,pageviews\n2020-01-01,3,4\n"
        #expect(try upload(["X-Share-Token": token], name: "imported_visitors_2020.csv", body: table).status == 403)
        #expect(try upload(["Cookie": cookie], name: "imported_visitors_2020.csv", body: table).status == 403)
        #expect(try upload(owner, site: "nope.example", name: "imported_visitors_2020.csv", body: table).status == 404)
        let wrong = try upload(owner, name: "notes.csv", body: table)
        #expect(wrong.status == 400 && wrong.body.contains("not a table of Plausible's CSV export"), "\(wrong.body)")
        let cut = try upload(owner, name: "export.zip", body: "PK not really a zip")
        #expect(cut.status == 400 && cut.body.contains("is not a zip archive this can read"), "\(cut.body)")
        #expect(!FileManager.default.fileExists(atPath: data + "/imports.json"), "nothing was imported")
        let good = try upload(owner, name: "imported_visitors_20200101_20200101.csv", body: table)
        #expect(good.status == 200 && good.body.contains(#""imported":1"#), "\(good.body)")
        let again = try upload(owner, name: "imported_visitors_20200101_20200101.csv", body: table)
        #expect(again.status == 200 && again.body.contains(#""already_imported":1"#), "\(again.body)")
        // The hits download is the owner's too: a shared link reads numbers, not hits.
        let hitsQuestion = Array(#"{"site_id": "example.com", "date_range": "7d", "format": "parquet"}"#.utf8)
        #expect(
            try http.request("POST", "/api/dashboard/export", headers: ["X-Share-Token": token], body: hitsQuestion)
                .status == 403)
        let hits = try http.request("POST", "/api/dashboard/export", headers: owner, body: hitsQuestion)
        #expect(hits.status == 200 && hits.body.hasPrefix("PAR1"))
    }
}
