import Foundation
import InfinityTestSupport
import Testing

/// The dashboard in a real browser (Debian's chromium, headless, driven through the DevTools
/// protocol by Browser/dashboard_check.py): logged in and through a shared link, it shows the same
/// headline numbers and top-5 rows as `infinity query`, clicking a country filters everything, and
/// the filter menu adds, keeps (in the URL) and removes filters with other operators.
@Suite("dashboard in chromium", .serialized)
struct BrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let python: String? = {
        if let configured = ProcessInfo.processInfo.environment["INFINITY_ORACLE_PYTHON"] { return configured }
        let local = BuiltBinary.packageRoot.appendingPathComponent(".build/oracle/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }()

    static let metrics = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration"]

    /// `infinity query` totals for the headline cards.
    static func headline(_ data: String, filter: String...) throws -> [String: Double] {
        let run = try ServerProcess.run(
            [
                "query", "example.com", "--data", data, "--range", "30d", "--metrics", metrics.joined(separator: ","),
                "--format", "json",
            ] + filter.flatMap { ["--filter", $0] })
        let object = try cast(JSONSerialization.jsonObject(with: Data(run.utf8)), to: [String: Any].self)
        let values = try cast(try cast(object["totals"], to: [String: Any].self)["metrics"], to: [Any].self)
        return Dictionary(uniqueKeysWithValues: zip(metrics, values.map { ($0 as? NSNumber)?.doubleValue ?? .nan }))
    }

    /// `infinity query` daily visitors over the dashboard's default range: (day, visitors).
    static func series(_ data: String) throws -> [(String, Int)] {
        let run = try ServerProcess.run([
            "query", "example.com", "--data", data, "--range", "30d", "--metrics", "visitors,pageviews",
            "--interval", "day", "--format", "json",
        ])
        let object = try cast(JSONSerialization.jsonObject(with: Data(run.utf8)), to: [String: Any].self)
        return try (try cast(object["results"], to: [[String: Any]].self)).map { row in
            (
                (try cast(row["dimensions"], to: [String].self))[0],
                ((try cast(row["metrics"], to: [Any].self))[0] as? NSNumber)?.intValue ?? 0
            )
        }
    }

    /// Every row of `infinity query --by DIMENSION` over the default range: (value, visitors).
    static func rows(_ data: String, _ dimension: String, filter: String? = nil, order: String? = nil) throws
        -> [[String]]
    {
        let run = try ServerProcess.run(
            [
                "query", "example.com", "--data", data, "--range", "30d", "--by", dimension, "--metrics",
                "visitors,percentage", "--format", "json",
            ] + (filter.map { ["--filter", $0] } ?? []) + (order.map { ["--order", $0] } ?? []))
        let object = try cast(JSONSerialization.jsonObject(with: Data(run.utf8)), to: [String: Any].self)
        return try (try cast(object["results"], to: [[String: Any]].self)).map { row in
            [
                (try cast(row["dimensions"], to: [String].self))[0],
                "\((try cast(row["metrics"], to: [NSNumber].self))[0].intValue)",
            ]
        }
    }

    /// `infinity query --by DIMENSION --format csv`, as a panel (or, with its metrics, its details) exports it.
    static func csv(
        _ data: String, _ dimension: String, metrics: String = "visitors,percentage", filter: String? = nil,
        order: String? = nil
    ) throws -> String {
        try ServerProcess.run(
            [
                "query", "example.com", "--data", data, "--range", "30d", "--by", dimension, "--metrics", metrics,
                "--format", "csv",
            ] + (filter.map { ["--filter", $0] } ?? []) + (order.map { ["--order", $0] } ?? []))
    }

    /// `infinity query` top 5 of a dimension: (value, visitors).
    static func top(_ data: String, _ dimension: String) throws -> [[String]] {
        let run = try ServerProcess.run([
            "query", "example.com", "--data", data, "--range", "30d", "--by", dimension, "--metrics",
            "visitors,percentage",
            "--limit", "5", "--format", "json",
        ])
        let object = try cast(JSONSerialization.jsonObject(with: Data(run.utf8)), to: [String: Any].self)
        return try (try cast(object["results"], to: [[String: Any]].self)).map { row in
            [
                (try cast(row["dimensions"], to: [String].self))[0],
                "\((try cast(row["metrics"], to: [NSNumber].self))[0].intValue)",
            ]
        }
    }

    /// Runs a browser driver script of Browser/ with `arguments`; what it printed (a JSON report).
    static func drive(_ script: String, python: String, _ arguments: [String]) throws -> Data {
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: python)
        driver.arguments =
            [BuiltBinary.packageRoot.appendingPathComponent("Tests/ServerTests/Browser/" + script).path] + arguments
        let out = Pipe(), err = Pipe()
        driver.standardOutput = out
        driver.standardError = err
        try driver.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        driver.waitUntilExit()
        try #require(driver.terminationStatus == 0, "the browser run failed: \(problems.suffix(2000))")
        return output
    }

    /// `infinity query` over the default range with `arguments`: each row's first label and metrics.
    static func answer(_ data: String, _ arguments: [String]) throws -> [(String, [Double?])] {
        let run = try ServerProcess.run(
            ["query", "example.com", "--data", data, "--range", "30d", "--format", "json"] + arguments)
        let object = try cast(JSONSerialization.jsonObject(with: Data(run.utf8)), to: [String: Any].self)
        return try (try cast(object["results"], to: [[String: Any]].self)).map { row in
            (
                (try cast(row["dimensions"], to: [String].self))[0],
                (try cast(row["metrics"], to: [Any].self)).map { ($0 as? NSNumber)?.doubleValue }
            )
        }
    }

    static func same(_ page: [String: Any], _ cli: [String: Double]) -> Bool {
        cli.allSatisfy { metric, value in
            guard let shown = (page[metric] as? NSNumber)?.doubleValue else { return false }
            return abs(shown - value) <= 1e-9 * max(1, abs(value))
        }
    }

    @Test(
        "logged in and through a shared link, the page shows the CLI's numbers; a click filters, the filter menu adds a second filter, the URL keeps them"
    )
    func dashboardMatchesTheCommandLine() throws {
        let chromium = try #require(
            Self.chromium, "chromium is needed: `make test` installs it (apt-get install chromium)")
        let python = try #require(Self.python, "`make test` installs the browser driver into .build/oracle")
        let (server, data, token) = try DashboardTests.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        // One page view now, through the real endpoint, for the realtime view to find.
        let sent = try HTTPConnection(port: server.port).request(
            "POST", "/api/event", headers: ["Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome],
            body: ServeEndToEndTests.event("/realtime-check"))
        try #require(sent.status == 202)
        let screenshot = BuiltBinary.packageRoot.appendingPathComponent(".build/test-artifacts/dashboard.png").path
        // Another tool's history to upload in Settings: Plausible's export of six weeks ago.
        let source = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let (importFirst, importLast) = (
            ImportedHistoryServeTests.date(daysAgo: 42), ImportedHistoryServeTests.date(daysAgo: 40)
        )
        _ = try ServerProcess.run([
            "generate", "--data", source, "--site", "example.com", "--days", "3", "--start", importFirst,
            "--hits-per-day",
            "300", "--sync", "none", "--progress", "none",
        ])
        let exportZip = source + "/plausible-export.zip"
        _ = try ServerProcess.run([
            "export", "example.com", "--data", source, "--range", "\(importFirst)..\(importLast)", "--format",
            "plausible-csv",
            "--output", exportZip,
        ])
        let output = try Self.drive(
            "dashboard_check.py", python: python,
            [
                chromium, "http://127.0.0.1:\(server.port)", "owner@example.com", DashboardTests.password,
                "/share/" + token, screenshot, exportZip,
            ])
        let report = try cast(JSONSerialization.jsonObject(with: output), to: [String: Any].self)

        let loggedIn = try cast(report["logged_in"], to: [String: Any].self)
        let expected = try Self.headline(data)
        #expect(expected["visitors"]! > 100)
        #expect(
            try Self.same(cast(loggedIn["headline"], to: [String: Any].self), expected),
            "\(loggedIn["headline"]!) vs \(expected)")
        let top = try cast(loggedIn["top"], to: [String: [[Any]]].self)
        for dimension in ["page", "source", "country", "device"] {
            let shown = try (top[dimension] ?? []).map {
                ["\($0[0])", "\((try cast($0[1], to: NSNumber.self)).intValue)"]
            }
            #expect(shown == (try Self.top(data, dimension)), "top 5 \(dimension)")
        }

        // The chart's buckets carry the daily series, and hovering one names its numbers.
        let chart = try #require(report["chart"] as? [[Any]])
        let series = try Self.series(data)
        #expect(chart.map { "\($0[0])" } == series.map(\.0))
        #expect(chart.map { ($0[1] as? NSNumber)?.intValue ?? -1 } == series.map(\.1))
        let busiest = try #require(
            chart.max { (try cast($0[1], to: NSNumber.self)).intValue < (try cast($1[1], to: NSNumber.self)).intValue })
        #expect(
            try "\(busiest[2])".hasPrefix("\(busiest[0]): \((cast(busiest[1], to: NSNumber.self)).intValue) visitors, ")
        )

        // Details: all pages, 50 at a time, in the CLI's order; sorted; searched; exported whole.
        let details = try #require(report["details"] as? [String: Any])
        let pages = try Self.rows(data, "page")
        try #require(pages.count > 60, "the demo data needs more than one page of pages")
        func shown(_ key: String) throws -> [[String]] {
            try ((details[key] as? [[Any]]) ?? []).map {
                ["\($0[0])", "\((try cast($0[1], to: NSNumber.self)).intValue)"]
            }
        }
        #expect(try shown("first") == Array(pages.prefix(50)))
        #expect(details["range"] as? String == "1–50")
        // Pages' details show time on page and scroll depth, as the CLI counts them.
        let engagement = try Self.answer(data, ["--by", "page", "--metrics", "visitors,time_on_page,scroll_depth"])
        let shownEngagement = (details["engagement"] as? [[String]]) ?? []
        #expect(shownEngagement.count == 50)
        #expect(engagement.prefix(50).contains { $0.1[1] != nil }, "the demo data should have engagement")
        for (row, cli) in zip(shownEngagement, engagement) {
            #expect(row[0] == cli.0)
            let close = zip(row.dropFirst().map { Double($0) }, cli.1.dropFirst()).allSatisfy { shown, counted in
                guard let shown, let counted else { return shown == nil && counted == nil }
                return abs(shown - counted) <= 1e-9 * max(1, abs(counted))
            }
            #expect(close, "\(row) vs \(cli)")
        }
        #expect(try shown("second") == Array(pages.dropFirst(50).prefix(50)))
        let ascending = try shown("ascending").map { Int($0[1])! }
        #expect(ascending == ascending.sorted() && ascending.first == pages.map { Int($0[1])! }.min())
        let search = try #require(details["search"] as? String)
        // The search keeps the order chosen (ascending), and the export holds what the view shows, whole.
        let searched = try Self.rows(data, "page", filter: "page~=\(search)", order: "visitors:asc")
        #expect(searched.count < pages.count)
        #expect(try shown("searched") == Array(searched.prefix(50)))
        let csv = try Self.csv(
            data, "page", metrics: "visitors,pageviews,time_on_page,scroll_depth", filter: "page~=\(search)",
            order: "visitors:asc")
        #expect(csv.hasPrefix("page,visitors,pageviews,time_on_page,scroll_depth\n"))
        #expect(details["csv"] as? String == csv)
        let panelCSV = try #require(details["panel_csv"] as? String)
        #expect(panelCSV == (try Self.csv(data, "page")))
        #expect(panelCSV.split(separator: "\n").count == pages.count + 1)

        // The page's "Export" is byte for byte the CLI's plausible-csv export of the same range.
        let exported = try #require((report["export_zip"] as? String).flatMap { Data(base64Encoded: $0) })
        _ = try ServerProcess.run([
            "export", "example.com", "--data", data, "--range", "30d", "--format", "plausible-csv", "--output",
            data + "/cli.zip",
        ])
        #expect(exported.count > 1000 && exported == FileManager.default.contents(atPath: data + "/cli.zip"))
        // "Hits" gives the owner the same Parquet file as `infinity export --format parquet`.
        let hits = try #require((report["export_hits"] as? String).flatMap { Data(base64Encoded: $0) })
        _ = try ServerProcess.run([
            "export", "example.com", "--data", data, "--range", "30d", "--format", "parquet", "--output",
            data + "/cli.parquet",
        ])
        #expect(hits.count > 1000 && hits == FileManager.default.contents(atPath: data + "/cli.parquet"))
        #expect(hits.prefix(4) == Data("PAR1".utf8) && hits.suffix(4) == Data("PAR1".utf8))

        let country = try #require(report["clicked"] as? String)
        let filtered = try cast(report["filtered"], to: [String: Any].self)
        #expect(filtered["chips"] as? [String] == ["country:\(country)"])
        #expect((report["url"] as? String)?.contains("f=country") == true, "the filter is kept in the URL")
        let expectedFiltered = try Self.headline(data, filter: "country==\(country)")
        #expect(expectedFiltered["visitors"]! < expected["visitors"]!)
        #expect(try Self.same(cast(filtered["headline"], to: [String: Any].self), expectedFiltered))

        // The filter menu: "page is not TOP" beside the country, kept in the URL, removable.
        let excluded = try #require(report["excluded_page"] as? String)
        let twoFilters = try cast(report["two_filters"], to: [String: Any].self)
        #expect(twoFilters["chips"] as? [String] == ["country:\(country)", "page!:\(excluded)"])
        #expect((twoFilters["chip_text"] as? [String])?.last == "page is not \(excluded)")
        #expect(
            (report["two_filters_url"] as? String)?.contains("f=page%21%3A") == true, "\(report["two_filters_url"]!)")
        let expectedTwo = try Self.headline(data, filter: "country==\(country)", "page!=\(excluded)")
        #expect(expectedTwo["pageviews"]! < expectedFiltered["pageviews"]!)
        #expect(try Self.same(cast(twoFilters["headline"], to: [String: Any].self), expectedTwo))
        #expect(
            try Self.same(
                cast(cast(report["bookmarked"], to: [String: Any].self)["headline"], to: [String: Any].self),
                expectedTwo))
        let pageOnly = try cast(report["page_only"], to: [String: Any].self)
        #expect(pageOnly["chips"] as? [String] == ["page!:\(excluded)"])
        #expect(
            try Self.same(
                cast(pageOnly["headline"], to: [String: Any].self), try Self.headline(data, filter: "page!=\(excluded)")
            ))

        // A property row (key=value) filters on that property.
        let property = try #require(report["property"] as? String)
        let pair = property.split(separator: "=", maxSplits: 1).map(String.init)
        try #require(pair.count == 2)
        let propertyFiltered = try cast(report["property_filtered"], to: [String: Any].self)
        #expect(propertyFiltered["chips"] as? [String] == ["props:\(pair[0]):\(pair[1])"])
        #expect(report["property_chip_text"] as? String == "property \(pair[0]) is \(pair[1])")
        let expectedProperty = try Self.headline(data, filter: "props:\(pair[0])==\(pair[1])")
        #expect(expectedProperty["visitors"]! > 0 && expectedProperty["visitors"]! < expected["visitors"]!)
        #expect(try Self.same(cast(propertyFiltered["headline"], to: [String: Any].self), expectedProperty))

        // The realtime view (last 30 minutes) holds exactly the page view sent before the run.
        let realtime = try #require(report["realtime"] as? [String: Any])
        #expect(realtime["visitors"] as? Int == 1 && realtime["pageviews"] as? Int == 1, "\(realtime)")
        #expect(realtime["pages"] as? [String] == ["/realtime-check"])
        #expect(realtime["sources"] as? [String] == ["Google"])

        // example.com counts in UTC: today's chart has a bucket for each hour up to the present one.
        let hours = (report["today_hours"] as? [Int]) ?? []
        #expect(hours.map { $0 + 1 }.contains(report["today_buckets"] as? Int ?? -1), "\(report["today_buckets"]!)")

        // A goal and a funnel defined in the dashboard show the CLI's numbers, also through the link.
        #expect((report["funnel_refusal"] as? String)?.contains("2 to 8 steps") == true, "\(report["funnel_refusal"]!)")
        let defined = try #require(report["defined"] as? [String: Any])
        let goals = try Self.answer(data, ["--by", "goal", "--metrics", "visitors,conversion_rate,revenue"])
        let shownGoals = (defined["goals"] as? [[Any]]) ?? []
        #expect(shownGoals.map { "\($0[0])" } == ["Pricing"], "only the defined goal is a goal now: \(shownGoals)")
        #expect(shownGoals.first.map { $0.dropFirst().map { ($0 as? NSNumber)?.doubleValue } } == goals.first?.1)
        let funnel = try Self.answer(data, ["--funnel", "Buy"])
        let shownFunnel = (defined["funnel"] as? [[Any]]) ?? []
        #expect(shownFunnel.map { "\($0[0])" } == funnel.map(\.0))
        #expect(shownFunnel.map { ($0[1] as? NSNumber)?.doubleValue } == funnel.map { $0.1[0] })
        #expect(
            funnel.count == 2 && (funnel[1].1[0] ?? 0) > 0, "the demo data should reach the funnel's end: \(funnel)")
        #expect(
            zip(shownFunnel, funnel).allSatisfy {
                abs((($0.0[2] as? NSNumber)?.doubleValue ?? -1) - ($0.1.1[1] ?? -2)) < 1e-9
            })
        let sharedDefined = try #require(report["shared_defined"] as? [String: Any])
        #expect((sharedDefined["funnel"] as? [[Any]])?.count == 2)
        #expect(report["shared_has_settings"] as? Bool == false)

        // Settings made in the page work at once, through the same stores as the CLI.
        #expect(try ServerProcess.run(["sites", "list", "--data", data]).contains("new.example"))
        let http = try HTTPConnection(port: server.port)
        let newSiteHit = try http.request(
            "POST", "/api/event", headers: ["Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome],
            body: ServeEndToEndTests.event("/hello", domain: "new.example"))
        #expect(newSiteHit.headers["x-infinity-dropped"] == "0", "the new site's hits are taken at once")
        let key = try #require(report["created_key"] as? String)
        #expect(key.hasPrefix("im_"))
        func statsAPI(_ site: String) throws -> Int {
            try http.request(
                "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)"],
                body: Array(#"{"site_id": "\#(site)", "metrics": ["visitors"], "date_range": "7d"}"#.utf8)
            ).status
        }
        #expect(
            try statsAPI("example.com") == 200 && statsAPI("shop.example") == 403, "the key is for example.com only")
        let link = try #require((report["created_link"] as? String)?.components(separatedBy: "/share/").last)
        #expect(
            try http.request("GET", "/api/dashboard/session", headers: ["X-Share-Token": link]).status == 200)
        #expect(report["settings_users"] as? [String] == ["owner@example.com", "viewer@example.com"])
        // The upload became import 1 of example.com, and its days answer as the exporting site's did.
        #expect(
            (report["import_status"] as? String)?.contains("plausible-export.zip: import 1,") == true,
            "\(report["import_status"] ?? "")")
        #expect((report["import_rows"] as? [String])?.first?.contains("example.com") == true)
        let importedRange = [
            "--range", "\(importFirst)..\(importLast)", "--metrics", "visitors,pageviews", "--format", "csv",
        ]
        #expect(
            try ServerProcess.run(["query", "example.com", "--data", data] + importedRange)
                == ServerProcess.run(["query", "example.com", "--data", source] + importedRange))
        // The viewer reads the numbers, and may change nothing.
        let login = try http.request(
            "POST", "/api/dashboard/login", headers: ["Content-Type": "application/json"],
            body: Array(#"{"email": "viewer@example.com", "password": "a viewer's password"}"#.utf8))
        #expect(login.status == 200)
        let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let csrf = try #require(
            (try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["csrf"] as? String)
        let viewer = ["Cookie": cookie, "X-CSRF-Token": csrf]
        #expect(
            try http.request("POST", "/api/dashboard/query", headers: viewer, body: Array(DashboardTests.query.utf8))
                .status == 200)
        #expect(try http.request("GET", "/api/dashboard/settings", headers: viewer).status == 403)
        #expect(
            try http.request(
                "POST", "/api/dashboard/settings", headers: viewer,
                body: Array(#"{"action": "add_site", "domain": "evil.example", "timezone": "UTC"}"#.utf8)
            ).status == 403)
        #expect(
            try http.request(
                "POST", "/api/dashboard/definitions", headers: viewer,
                body: Array(#"{"site_id": "example.com", "action": "remove_goal", "name": "Pricing"}"#.utf8)
            ).status == 403)
        #expect(!(try ServerProcess.run(["sites", "list", "--data", data]).contains("evil.example")))

        // On a phone the page fits the screen, and the chart is drawn at its shown size (labels stay legible).
        let phone = try #require(report["phone"] as? [String: Double])
        #expect(phone["overflow"] ?? 1 <= 0, "the page is wider than a phone's screen: \(phone)")
        #expect(abs((phone["chart_scale"] ?? 0) - 1) < 0.1, "\(phone)")
        #expect((phone["label_px"] ?? 0) >= 9, "chart labels are too small to read on a phone: \(phone)")

        let shared = try cast(report["shared"], to: [String: Any].self)
        #expect(try Self.same(cast(shared["headline"], to: [String: Any].self), expected))
        #expect(report["shared_has_logout"] as? Bool == false)
        #expect(FileManager.default.fileExists(atPath: screenshot))
    }
}
