import Foundation
import Testing

/// Administrative changes made with the CLI beside a running server reach it without a restart.
@Suite("live administration: the CLI beside a running server", .serialized)
struct LiveAdministrationTests {
    /// Polls `condition` until it holds, for at most `seconds`; whether it did.
    static func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    static func hit(_ connection: HTTPConnection, domain: String) throws -> HTTPConnection.Response {
        try connection.sendPageview("/first", domain: domain)
    }

    @Test("a site added while serve runs is counted from then on, in its own time zone")
    func siteAddedLive() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        #expect(try Self.hit(connection, domain: "late.example").headers["x-infinity-drop-reason"] == "unknown-site")

        // A zone whose date differs from UTC's now, so that counting in UTC would show.
        let hour =
            Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).hour ?? 0
        let zone = hour >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago"
        #expect(
            try ServerProcess.invoke(["sites", "add", "late.example", "--timezone", zone, "--data", data]).status == 0)
        var accepted = 0
        #expect(
            try Self.eventually {
                let response = try Self.hit(connection, domain: "late.example")
                if response.headers["x-infinity-dropped"] == "0" { accepted += 1 }
                return accepted > 0
            }, "the running server never accepted hits for the new site")
        // Folded by the live worker into the site's own day: "today" in its zone has the hit.
        let durable = try ServerProcess.metric("infinity_journal_durable_sequence", from: connection)
        #expect(
            try Self.eventually { try ServerProcess.metric("infinity_rollups_position", from: connection) >= durable })
        let today = try ServerProcess.invoke([
            "query", "late.example", "--data", data, "--range", "today", "--metrics", "pageviews", "--format", "csv",
        ])
        #expect(today.output.split(separator: "\n").last.map(String.init) == "\(accepted)", "\(today.output)")
        #expect(server.log.contains("now counting late.example"))
    }

    @Test("SIGHUP re-reads the config file: trusted proxies change at once; a setting that needs a restart says so")
    func sighupReloadsTheConfigFile() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let config = data + "/infinity.toml"
        let base = "data = \"\(data)\"\nlisten = \"127.0.0.1:0\"\ngeoip = \"\(ServerProcess.geoip)\"\n"
        try base.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess(data: data, arguments: ["--config", config], onlyArguments: true)
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        func send(_ path: String) throws {
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "application/json", "User-Agent": ServeEndToEndTests.chrome,
                    "X-Forwarded-For": "81.2.69.142",
                ],
                body: ServeEndToEndTests.event(path))
            #expect(response.status == 202)
        }
        try send("/before")  // from 127.0.0.1, not trusted yet: no country
        let open = try HTTPConnection(port: server.port)  // a second connection, idle
        try (base + "trusted_proxies = [\"127.0.0.1\"]\nidle_timeout = 5\nmax_connections = 2\n").write(
            toFile: config, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        #expect(Self.eventually { server.log.contains("SIGHUP: re-read the config file") }, "\(server.log)")
        // The restart warning is a line of its own, logged after the re-read one; the connection
        // limit is not in it: it changes at once.
        #expect(
            Self.eventually { server.log.contains("take effect only after a restart: idle_timeout\n") }, "\(server.log)"
        )
        #expect(server.log.contains("max_connections=2"), "\(server.log)")
        let third = try HTTPConnection(port: server.port)
        #expect(third.isClosedByPeer(within: 10), "a third connection was taken past max_connections = 2")
        _ = open
        try send("/after")
        #expect(server.stop() == 0)
        let dump = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        let countries = dump.split(separator: "\n").compactMap { line -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["country"] as? String
        }
        #expect(countries == ["", "GB"], "\(dump)")
    }

    @Test(
        "users, keys and shared links added or removed while serve runs work, or stop working, at the next request")
    func usersKeysAndLinksLive() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        let http = try HTTPConnection(port: server.port)
        let password = "correct horse battery staple"
        func login() throws -> HTTPConnection.Response {
            try http.request(
                "POST", "/api/dashboard/login", headers: ["Content-Type": "application/json"],
                body: Array(#"{"email": "late@example.com", "password": "\#(password)"}"#.utf8))
        }
        #expect(try login().status == 401)
        // Each change is asked about right after the command returns: a script that creates a key
        // and uses it at once must not be refused until the server's next look at its files.
        #expect(try DashboardTests.addUser("late@example.com", password: password, data: data) == 0)
        let session = try login()
        #expect(session.status == 200, "a user added beside the server could not log in")
        let cookie = try #require(session.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(try http.request("GET", "/api/dashboard/session", headers: ["Cookie": cookie]).status == 200)
        #expect(try ServerProcess.invoke(["users", "remove", "late@example.com", "--data", data]).status == 0)
        #expect(
            try http.request("GET", "/api/dashboard/session", headers: ["Cookie": cookie]).status == 401,
            "a removed user's session still worked")

        let key = try ServerProcess.run(["keys", "create", "late", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let query = Array(#"{"site_id": "example.com", "metrics": ["visitors"], "date_range": "7d"}"#.utf8)
        func ask() throws -> Int {
            try http.request("POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)"], body: query).status
        }
        #expect(try ask() == 200, "a key created beside the server was refused")
        let id = try #require(
            try ServerProcess.run(["keys", "list", "--data", data]).split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.count == 8 && $0.allSatisfy(\.isHexDigit) }
            }.first)
        #expect(try ServerProcess.invoke(["keys", "revoke", String(id), "--data", data]).status == 0)
        #expect(try ask() == 401, "a revoked key still worked")

        let link = try ServerProcess.run(["sites", "share", "example.com", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let token = String(link.dropFirst("/share/".count))
        func shared() throws -> Int {
            try http.request("POST", "/api/dashboard/query", headers: ["X-Share-Token": token], body: query).status
        }
        #expect(try shared() == 200, "a link shared beside the server did not open")
    }

    @Test("a goal and a funnel defined beside the server count in its next answers, as the CLI counts them")
    func goalsAndFunnelsLive() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "4", "--hits-per-day", "1500", "--start",
            "2026-10-01", "--sync", "none",
        ])
        let key = try ServerProcess.run(["keys", "create", "goals", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        let http = try HTTPConnection(port: server.port)
        func ask(_ body: String) throws -> (status: Int, results: [[String: Any]]) {
            let response = try http.request(
                "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)"], body: Array(body.utf8))
            let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
            return (response.status, object?["results"] as? [[String: Any]] ?? [])
        }
        func cli(_ body: String) throws -> [[String: Any]] {
            try body.write(toFile: data + "/request.json", atomically: true, encoding: .utf8)
            let output = try ServerProcess.run([
                "query", "--data", data, "--json", data + "/request.json", "--format", "json",
            ])
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            return object?["results"] as? [[String: Any]] ?? []
        }
        func labels(_ rows: [[String: Any]]) -> [String] { rows.compactMap { ($0["dimensions"] as? [String])?.first } }

        let byGoal =
            #"{"site_id": "example.com", "date_range": ["2026-10-01", "2026-10-04"], "metrics": ["visitors", "events", "conversion_rate"], "dimensions": ["event:goal"]}"#
        #expect(try labels(ask(byGoal).results).contains("Signup"), "before any definition, events are the goals")
        #expect(
            try ServerProcess.invoke([
                "goals", "add", "example.com", "--page", "/pricing", "--name", "Pricing", "--data", data,
            ]).status == 0)
        #expect(
            try Self.eventually { try labels(ask(byGoal).results) == ["Pricing"] },
            "the running server did not take the goal defined beside it")
        let served = try ask(byGoal).results
        #expect(
            try JSONSerialization.data(withJSONObject: served, options: .sortedKeys)
                == JSONSerialization.data(withJSONObject: try cli(byGoal), options: .sortedKeys))

        let funnel = #"{"site_id": "example.com", "date_range": ["2026-10-01", "2026-10-04"], "funnel": "Buy"}"#
        #expect(try ask(funnel).status == 400, "a funnel that is not defined must be refused")
        #expect(
            try ServerProcess.invoke([
                "funnels", "add", "example.com", "Buy", "--step", "page==/", "--step", "goal==Pricing", "--data", data,
            ]).status == 0)
        #expect(
            try Self.eventually { try ask(funnel).status == 200 }, "the funnel defined beside the server was refused")
        let steps = try ask(funnel).results
        #expect(labels(steps) == ["Visit /", "Pricing"])
        let visitors = steps.compactMap { ($0["metrics"] as? [Double])?.first }
        #expect(visitors.count == 2 && visitors[0] > visitors[1] && visitors[1] > 0, "\(visitors)")
        #expect(
            try JSONSerialization.data(withJSONObject: steps, options: .sortedKeys)
                == JSONSerialization.data(withJSONObject: try cli(funnel), options: .sortedKeys))
    }
}
