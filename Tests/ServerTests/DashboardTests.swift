import Foundation
import InfinityTestSupport
import Synchronization
import Testing

@Suite("dashboard: login, shared links, data endpoints, headers", .serialized)
struct DashboardTests {
    static let password = "correct horse battery staple"

    /// A server over generated traffic with one login and one shared link for example.com.
    static func start() throws -> (ServerProcess, String, String) {
        let data = ServerProcess.temporaryFolder()
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--site", "shop.example", "--days", "5",
            "--hits-per-day", "600", "--sync", "none", "--engagement", "0.5",
        ])
        #expect(try addUser("owner@example.com", password: password, data: data) == 0)
        let share = try ServerProcess.run(["sites", "share", "example.com", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(share.hasPrefix("/share/") && share.count > 40)
        let stored = try String(contentsOfFile: data + "/users.json", encoding: .utf8)
        #expect(!stored.contains(password) && stored.contains("$2b$"))
        return (try ServerProcess(data: data), data, String(share.dropFirst(7)))
    }

    static let query = #"{"site_id": "example.com", "metrics": ["visitors", "pageviews"], "date_range": "7d"}"#

    /// Sends `count` requests at once, each on its own connection and thread; their statuses (0
    /// for a request that got no answer).
    static func parallelStatuses(
        _ count: Int, port: Int, _ request: @escaping @Sendable (HTTPConnection) throws -> HTTPConnection.Response
    ) -> [Int] {
        let statuses = Mutex<[Int]>([])
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let status = (try? HTTPConnection(port: port)).flatMap { try? request($0) }?.status ?? 0
                statuses.withLock { $0.append(status) }
            }
        }
        group.wait()
        return statuses.withLock { $0 }
    }

    /// Adds a dashboard login with `infinity users add --password-stdin`.
    static func addUser(_ email: String, password: String, data: String) throws -> Int32 {
        let add = Process()
        add.executableURL = ServerProcess.executable
        add.arguments = ["users", "add", email, "--password-stdin", "--data", data]
        let input = Pipe()
        add.standardInput = input
        add.standardOutput = FileHandle.nullDevice
        try add.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        add.waitUntilExit()
        return add.terminationStatus
    }

    @Test("data needs a session or a shared link; a link shows only its site")
    func access() throws {
        let (server, data, token) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        #expect(try http.request("POST", "/api/dashboard/query", body: Array(Self.query.utf8)).status == 401)
        #expect(try http.request("GET", "/api/dashboard/realtime?site=example.com").status == 401)
        #expect(try http.request("GET", "/api/dashboard/session").status == 401)
        let shared = try http.request(
            "POST", "/api/dashboard/query", headers: ["X-Share-Token": token], body: Array(Self.query.utf8))
        #expect(shared.status == 200)
        let other = try http.request(
            "POST", "/api/dashboard/query", headers: ["X-Share-Token": token],
            body: Array(Self.query.replacingOccurrences(of: "example.com", with: "shop.example").utf8))
        #expect(other.status == 404)
        #expect(
            try http.request(
                "POST", "/api/dashboard/query",
                headers: ["X-Share-Token": (token.first == "0" ? "1" : "0") + token.dropFirst()],
                body: Array(Self.query.utf8)
            ).status == 404)
        let session = try http.request("GET", "/api/dashboard/session", headers: ["X-Share-Token": token])
        #expect(session.status == 200 && session.body.contains(#""sites":["example.com"]"#))
        // The numbers are the CLI's.
        try Self.query.write(toFile: data + "/q.json", atomically: true, encoding: .utf8)
        let cli = try ServerProcess.run(["query", "--data", data, "--json", data + "/q.json", "--format", "json"])
        let a = try cast(JSONSerialization.jsonObject(with: Data(shared.body.utf8)), to: [String: Any].self)
        let b = try cast(JSONSerialization.jsonObject(with: Data(cli.utf8)), to: [String: Any].self)
        #expect(
            try NSDictionary(dictionary: cast(a["totals"], to: [String: Any].self)).isEqual(
                to: cast(b["totals"], to: [String: Any].self)))
    }

    @Test("login: cookie flags, CSRF on every data request, foreign origins refused, throttled after failures")
    func login() throws {
        let (server, data, _) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        func login(_ password: String, origin: String? = nil) throws -> HTTPConnection.Response {
            var headers = ["Content-Type": "application/json"]
            if let origin { headers["Origin"] = origin }
            return try http.request(
                "POST", "/api/dashboard/login", headers: headers,
                body: Array(#"{"email": "owner@example.com", "password": "\#(password)"}"#.utf8))
        }
        #expect(try login(Self.password, origin: "https://evil.example").status == 403)
        let ok = try login(Self.password)
        #expect(ok.status == 200)
        let cookie = try #require(ok.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        let sessionCookie = String(cookie.split(separator: ";")[0])
        let csrf = try #require(
            (try JSONSerialization.jsonObject(with: Data(ok.body.utf8)) as? [String: Any])?["csrf"] as? String)
        let noToken = try http.request(
            "POST", "/api/dashboard/query", headers: ["Cookie": sessionCookie], body: Array(Self.query.utf8))
        #expect(noToken.status == 403)
        let withToken = try http.request(
            "POST", "/api/dashboard/query", headers: ["Cookie": sessionCookie, "X-CSRF-Token": csrf],
            body: Array(Self.query.utf8))
        #expect(withToken.status == 200)

        // Logging out ends the session on the server, not only in the browser.
        let logout = try http.request(
            "POST", "/api/dashboard/logout", headers: ["Cookie": sessionCookie, "X-CSRF-Token": csrf])
        #expect(logout.status == 200)
        #expect(logout.headers["set-cookie"]?.contains("infinity_session=") == true)
        let afterLogout = try http.request(
            "POST", "/api/dashboard/query", headers: ["Cookie": sessionCookie, "X-CSRF-Token": csrf],
            body: Array(Self.query.utf8))
        #expect(afterLogout.status == 401)
        #expect(try http.request("GET", "/api/dashboard/session", headers: ["Cookie": sessionCookie]).status == 401)

        // Behind an HTTPS proxy the cookie is also Secure.
        let viaTLS = try http.request(
            "POST", "/api/dashboard/login",
            headers: ["Content-Type": "application/json", "X-Forwarded-Proto": "https"],
            body: Array(#"{"email": "owner@example.com", "password": "\#(Self.password)"}"#.utf8))
        #expect(viaTLS.headers["set-cookie"]?.contains("Secure") == true)
        #expect(ok.headers["set-cookie"]?.contains("Secure") == false)

        var statuses: [Int] = []
        for _ in 0..<10 { statuses.append(try login("wrong password").status) }
        #expect(Array(statuses.prefix(5)) == [401, 401, 401, 401, 401])
        #expect(statuses.suffix(5).allSatisfy { $0 == 429 })
        let throttled = try login(Self.password)
        #expect(throttled.status == 429, "even the right password waits")
        #expect(Int(throttled.headers["retry-after"] ?? "") ?? 0 > 0)
    }

    @Test("100 parallel wrong passwords for one account: at most five are checked, the rest get 429")
    func parallelGuessesAreStoppedWhenTheyStart() throws {
        let (server, data, _) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let all = Self.parallelStatuses(100, port: server.port) { connection in
            try connection.request(
                "POST", "/api/dashboard/login",
                headers: ["Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"],
                body: Array(#"{"email": "owner@example.com", "password": "wrong guess"}"#.utf8))
        }
        #expect(all.count == 100)
        #expect(all.filter { $0 == 401 }.count <= 5, "password checks: \(all.filter { $0 == 401 }.count)")
        #expect(all.allSatisfy { $0 == 401 || $0 == 429 }, "\(Set(all))")
    }

    @Test("behind the proxy, bad logins from one client do not lock out the right password from another")
    func throttleKeysOnTheClientBehindTheProxy() throws {
        let (server, data, _) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        func login(_ email: String, _ password: String, from client: String) throws -> Int {
            try http.request(
                "POST", "/api/dashboard/login",
                headers: ["Content-Type": "application/json", "X-Forwarded-For": client],
                body: Array(#"{"email": "\#(email)", "password": "\#(password)"}"#.utf8)
            ).status
        }
        // A stranger tries made-up accounts and the real one until throttled.
        for index in 0..<6 { _ = try login("nobody\(index)@example.com", "guess", from: "203.0.113.66") }
        var stranger: [Int] = []
        for _ in 0..<8 { stranger.append(try login("owner@example.com", "guess", from: "203.0.113.66")) }
        #expect(stranger.suffix(3).allSatisfy { $0 == 429 }, "\(stranger)")
        // The owner, from elsewhere, still logs in.
        #expect(try login("owner@example.com", Self.password, from: "198.51.100.7") == 200)
    }

    @Test("a hostile regular expression through a shared link is refused with 400, and the server stays responsive")
    func hostileFilterThroughALink() throws {
        let (server, data, token) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        let hostile =
            #"{"site_id": "example.com", "metrics": ["visitors"], "date_range": "7d", "filters": [["matches", "event:page", ["(a|a)*$"]]]}"#
        let answer = try http.request(
            "POST", "/api/dashboard/query", headers: ["X-Share-Token": token], body: Array(hostile.utf8))
        #expect(answer.status == 400)
        #expect(answer.body.contains("exponential") && answer.body.contains("filters"), "\(answer.body)")
        #expect(try http.request("GET", "/healthz").status == 200)
    }

    @Test("60 questions at once through a shared link: at least 34 are answered (two run, 32 wait), the rest get 429")
    func linkQueriesAreQueuedThenRefused() throws {
        let (server, data, token) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let all = Self.parallelStatuses(60, port: server.port) { connection in
            try connection.request(
                "POST", "/api/dashboard/query", headers: ["X-Share-Token": token], body: Array(Self.query.utf8))
        }
        #expect(all.allSatisfy { $0 == 200 || $0 == 429 }, "\(Set(all))")
        #expect(all.filter { $0 == 200 }.count >= 34, "answered: \(all.filter { $0 == 200 }.count)")
    }

    @Test("every dashboard response forbids other origins and inline scripts; the page is small")
    func headersAndSize() throws {
        let (server, data, _) = try Self.start()
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        var total = 0
        for path in ["/", "/assets/app.js", "/assets/app.css", "/share/abc"] {
            let response = try http.request("GET", path)
            #expect(response.status == 200, "\(path)")
            let policy = try #require(response.headers["content-security-policy"], "\(path)")
            #expect(policy.contains("default-src 'self'") && policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("http") && !policy.contains("*"))
            #expect(response.headers["x-frame-options"] == "DENY")
            if path != "/share/abc" { total += try Self.gzipSize(response.body) }
            // Nothing is loaded from elsewhere.
            #expect(!response.body.contains("http://") || path == "/assets/app.js")
            #expect(!response.body.contains("https://"))
        }
        #expect(total <= 100_000, "the page is \(total) bytes gzipped")
        let api = try http.request("POST", "/api/dashboard/query", body: Array(Self.query.utf8))
        #expect(api.headers["content-security-policy"] != nil)
    }

    static func gzipSize(_ text: String) throws -> Int {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-9c"]
        let input = Pipe(), output = Pipe()
        gzip.standardInput = input
        gzip.standardOutput = output
        try gzip.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let size = output.fileHandleForReading.readDataToEndOfFile().count
        gzip.waitUntilExit()
        return size
    }
}
