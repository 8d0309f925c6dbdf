import Foundation
import InfinityTestSupport
import Synchronization
import Testing

@Suite("infinity serve, end to end over loopback", .serialized)
struct ServeEndToEndTests {
    static let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    static let iphone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
    static let clients: [(ip: String, country: String)] = [
        ("8.8.8.8", "US"), ("81.2.69.142", "GB"), ("1.1.1.1", "AU"), ("193.0.6.139", "NL"), ("2a02:8070::1", "DE"),
    ]

    static func event(_ path: String, domain: String = "example.com") -> [UInt8] {
        Array(
            #"{"n":"pageview","u":"https://www.example.com\#(path)","d":"\#(domain)","r":"https://www.google.com/","w":1280}"#
                .utf8)
    }

    @Test(
        "hits sent over HTTP are in the journal, anonymized, with countries from the shipped database, after SIGTERM; no client IP is on disk"
    )
    func endToEnd() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // No --geoip: countries come from the DB-IP database that ships with infinity.
        let server = try ServerProcess(data: data, shippedGeoIP: true)
        let connection = try HTTPConnection(port: server.port)
        var sent: [(path: String, country: String)] = []
        for i in 0..<50 {
            let client = Self.clients[i % Self.clients.count]
            let path = "/page/\(i % 7)"
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "text/plain", "User-Agent": i % 2 == 0 ? Self.chrome : Self.iphone,
                    "X-Forwarded-For": client.ip,
                ],
                body: Self.event(path))
            #expect(response.status == 202)
            #expect(response.headers["x-infinity-dropped"] == "0")
            sent.append((path, client.country))
        }
        #expect(server.stop() == 0, "SIGTERM must flush and exit 0: \(server.log)")
        #expect(server.log.contains("journal closed"))
        let lines = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"]).split(
            separator: "\n")
        let records = try lines.map {
            try cast(JSONSerialization.jsonObject(with: Data($0.utf8)), to: [String: Any].self)
        }
        #expect(records.count == 50)
        #expect(try records.map { try cast($0["pathname"], to: String.self) } == sent.map(\.path))
        #expect(try records.map { try cast($0["country"], to: String.self) } == sent.map(\.country))
        #expect(
            records.allSatisfy { $0["hostname"] as? String == "example.com" && $0["source"] as? String == "Google" })
        #expect(try Set(records.map { try cast($0["browser"], to: String.self) }) == ["Chrome", "Safari"])
        // The same visitor (IP + agent) on the same day has one id; different visitors differ.
        // 5 addresses × 2 agents.
        #expect(try Set(records.map { try cast($0["visitor_id"], to: String.self) }).count == 10)
        try Self.expectNoAddresses(Self.clients.map(\.ip) + ["127.0.0.1"], in: data)
    }

    /// Fails if any file under `folder` holds any of `addresses` in text or as bytes.
    static func expectNoAddresses(_ addresses: [String], in folder: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: folder)!
        for case let file as String in enumerator {
            let path = folder + "/" + file
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for address in addresses where address != "127.0.0.1" || !file.hasSuffix(".json") {
                #expect(bytes.range(of: Data(address.utf8)) == nil, "\(address) found in \(file)")
            }
        }
    }

    @Test("bad requests get clear answers and the server keeps serving")
    func badInput() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        func post(_ body: [UInt8], type: String = "application/json", agent: String = ServeEndToEndTests.chrome) throws
            -> HTTPConnection.Response
        {
            try HTTPConnection(port: server.port).request(
                "POST", "/api/event", headers: ["Content-Type": type, "User-Agent": agent], body: body)
        }
        #expect(try post([UInt8](repeating: 32, count: 100_000)).status == 413)
        #expect(try post(Array(#"{"n":"pageview","u":"https://exa"#.utf8)).status == 400)
        #expect(try post(Array("[1,2,3]".utf8)).body.contains("must be a JSON object"))
        #expect(try post(Array("42".utf8)).status == 400)
        #expect(try post([0x7B, 0xFF, 0xFE, 0x7D]).status == 400)
        let noScheme = try post(Array(#"{"n":"pageview","u":"example.com/x","d":"example.com"}"#.utf8))
        #expect(noScheme.status == 400 && noScheme.body.contains("\"field\":\"u\""))
        let manyProps = "{" + (0..<10_000).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        let props = try post(
            Array(#"{"n":"Signup","u":"https://example.com/","d":"example.com","p":\#(manyProps)}"#.utf8))
        #expect(props.status == 400 || props.status == 413)
        let unknown = try post(Self.event("/", domain: "not-registered.example"))
        #expect(unknown.status == 202 && unknown.headers["x-infinity-drop-reason"] == "unknown-site")
        let bot = try post(
            Self.event("/"), agent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
        #expect(bot.status == 202 && bot.headers["x-infinity-drop-reason"] == "bot")
        #expect(try post(Array("<x/>".utf8), type: "application/xml").status == 415)
        let get = try HTTPConnection(port: server.port).request("GET", "/api/event")
        #expect(get.status == 405 && get.headers["allow"] == "POST" && get.body.contains("event.gif"))
        // A 1 MB header is refused (or the connection closed), and others are still served.
        let huge = try HTTPConnection(port: server.port)
        let refused = (try? huge.request("GET", "/healthz", headers: ["X-Big": String(repeating: "a", count: 1 << 20)]))
        #expect(refused == nil || refused!.status >= 400)
        #expect(try post(Self.event("/still-here")).status == 202)
        let metrics = try HTTPConnection(port: server.port).request("GET", "/metrics")
        #expect(metrics.body.contains("infinity_hits_accepted_total 1"))
        #expect(metrics.body.contains("infinity_events_dropped_total{reason=\"bot\"} 1"))
        #expect(metrics.body.contains("infinity_journal_fsync_seconds_count 1"), "one block fsynced: \(metrics.body)")
        #expect(metrics.body.contains("infinity_journal_fsync_seconds_bucket{le=\"+Inf\"} 1"))
        #expect(!metrics.body.contains("infinity_journal_bytes_written_total 0\n"))
        // Other libraries' metrics (Hummingbird's, through swift-metrics) are in the same registry.
        #expect(metrics.body.contains("http_server_active_requests"), "\(metrics.body)")
        // CORS lets pages on any site send events.
        let preflight = try HTTPConnection(port: server.port).request(
            "OPTIONS", "/api/event",
            headers: ["Origin": "https://example.com", "Access-Control-Request-Method": "POST"])
        #expect(preflight.headers["access-control-allow-origin"] != nil)
        #expect(try HTTPConnection(port: server.port).request("GET", "/js/script.js").body.contains("keepalive"))
    }

    @Test(
        "a lone connection's events do not wait out the commit delay: every connection is waiting, so the block is cut")
    func loneConnectionIsNotDelayed() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--ack", "written", "--commit-delay", "100000"])
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        for _ in 1...5 { #expect(try LiveAdministrationTests.hit(connection, domain: "example.com").status == 202) }
        #expect(try ServerProcess.metric("infinity_journal_blocks_cut_early_total", from: connection) == 5)
        #expect(try ServerProcess.metric("infinity_connections_open", from: connection) == 1)
        // A second connection that sends nothing keeps the next block waiting for it.
        let idle = try HTTPConnection(port: server.port)
        #expect(try ServerProcess.metric("infinity_connections_open", from: idle) == 2)
        #expect(try LiveAdministrationTests.hit(connection, domain: "example.com").status == 202)
        #expect(try ServerProcess.metric("infinity_journal_blocks_cut_early_total", from: connection) == 5)
    }

    @Test("requests pipelined on one connection are answered in order, events among them")
    func pipelinedRequestsKeepTheirOrder() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        func request(_ method: String, _ path: String, _ body: [UInt8] = []) -> [UInt8] {
            let head =
                "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: \(Self.chrome)\r\n"
                + "Origin: https://example.com\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\n\r\n"
            return Array(head.utf8) + body
        }
        let connection = try HTTPConnection(port: server.port)
        // One write: the router's requests and events interleaved, so an event's answer (written
        // when its block is durable) could overtake the router's if order were not kept.
        try connection.send(
            request("POST", "/api/event", Self.event("/one")) + request("GET", "/js/script.js")
                + request("POST", "/api/event", Array("{broken".utf8)) + request("GET", "/healthz")
                + request("POST", "/api/event", Self.event("/two")) + request("GET", "/metrics"))
        let answers = try (0..<6).map { _ in try connection.readResponse() }
        #expect(answers.map(\.status) == [202, 200, 400, 200, 202, 200])
        #expect(answers[0].headers["x-infinity-dropped"] == "0")
        #expect(answers[0].headers["access-control-allow-origin"] == "*", "events answer browsers of any site")
        #expect(answers[1].body.contains("keepalive"))
        #expect(answers[3].body.contains("\"status\":\"ok\""))
        #expect(answers[5].body.contains("infinity_hits_accepted_total 2"), "\(answers[5].body)")
        // The connection stays usable.
        #expect(try connection.request("GET", "/healthz").status == 200)
    }

    @Test(
        "silent connections are closed after the idle timeout; thousands of idle ones neither block nor bloat the server"
    )
    func idleConnections() throws {
        // 5,000 sockets here and 5,000 in the server. The test process only checks its own limit
        // (it never changes it, so suites running beside it are not affected); the server gets
        // its own raised limit through `prlimit` on its process id.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(
            limit.rlim_cur >= 6_000 || limit.rlim_max >= 6_000,
            "the open-file limit (\(limit.rlim_cur)/\(limit.rlim_max)) is too low for 5,000 connections")
        if limit.rlim_cur < 6_000 {
            limit.rlim_cur = min(limit.rlim_max, 12_000)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--idle-timeout", "2"])
        defer { _ = server.stop() }
        // A client that starts a request and goes quiet is cut off.
        let stalled = try HTTPConnection(port: server.port)
        try stalled.send(Array("POST /api/event HTTP/1.1\r\nHost: x\r\nContent-Le".utf8))
        #expect(stalled.isClosedByPeer(within: 6))
        // 5,000 idle connections at once.
        var idle: [HTTPConnection] = []
        for _ in 0..<5000 { idle.append(try HTTPConnection(port: server.port)) }
        let response = try HTTPConnection(port: server.port).request(
            "POST", "/api/event", headers: ["Content-Type": "text/plain", "User-Agent": Self.chrome],
            body: Self.event("/busy"))
        #expect(response.status == 202, "a new client is served beside 5,000 idle ones")
        let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        let rss =
            status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap {
                Double($0.split(separator: " ")[1]).map { Int($0) }
            }
            ?? 0
        #expect(rss < 400_000, "server resident memory with 5,000 idle connections: \(rss) kB")
        idle.removeAll()
    }

    @Test("a client trickling its body is cut off at the request deadline, and others are served meanwhile")
    func tricklingClient() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // A long idle timeout: every trickled body byte counts as activity, so only the request
        // deadline can end this connection.
        let server = try ServerProcess(data: data, arguments: ["--idle-timeout", "60", "--request-timeout", "2"])
        defer { _ = server.stop() }
        let slow = try HTTPConnection(port: server.port)
        try slow.send(
            Array("POST /api/event HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\n".utf8)
        )
        let start = Date()
        var cutOff = false
        for _ in 0..<40 {
            do { try slow.send([32]) } catch {
                cutOff = true
                break
            }
            let response = try HTTPConnection(port: server.port).request("GET", "/healthz")
            #expect(response.status == 200, "others must be served while a client trickles")
            Thread.sleep(forTimeInterval: 0.3)
            if slow.isClosedByPeer(within: 0) {
                cutOff = true
                break
            }
        }
        #expect(cutOff, "the trickling client was not cut off")
        #expect(Date().timeIntervalSince(start) < 6)
    }

    @Test("every setting of the config file takes effect from the file alone, with no flag")
    func configFileAlone() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let config = data + "/infinity.toml"
        try """
        data = "\(data)"
        listen = "127.0.0.1:0"
        geoip = "\(ServerProcess.geoip)"
        trusted_proxies = ["127.0.0.1"]
        ack = "buffered"
        idle_timeout = 2
        request_timeout = 20
        max_connections = 100
        retention = 3000
        rollup_retention = 3000
        fold_interval = 1
        query_cache = 8
        commit_delay = 100
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess(data: data, arguments: ["--config", config], onlyArguments: true)
        #expect(server.log.contains("ack: buffered") && server.log.contains("data: \(data)"), "\(server.log)")
        #expect(server.log.contains("countries from DBIP"))
        let effective = try #require(server.log.split(separator: "\n").first { $0.contains("settings") })
        for expected in [
            "idle_timeout=2", "request_timeout=20", "max_connections=100", "retention=3000", "rollup_retention=3000",
            "fold_interval=1",
            "query_cache=8", "commit_delay=100", "trusted_proxies=127.0.0.1",
        ] {
            #expect(effective.contains(expected), "\(expected) not in: \(effective)")
        }
        // trusted_proxies from the file alone: the forwarded address decides the country.
        let connection = try HTTPConnection(port: server.port)
        let response = try connection.request(
            "POST", "/api/event",
            headers: ["Content-Type": "text/plain", "User-Agent": Self.chrome, "X-Forwarded-For": "81.2.69.142"],
            body: Self.event("/from-config"))
        #expect(response.status == 202)
        // idle_timeout from the file alone: a silent connection is closed after 2 s, not 30.
        let silent = try HTTPConnection(port: server.port)
        #expect(silent.isClosedByPeer(within: 10))
        #expect(server.stop() == 0)
        let dump = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        #expect(dump.contains(#""country":"GB""#), "\(dump)")
        // A value of the wrong type names the file and its line.
        try "ack = \"buffered\"\nidle_timeout = \"soon\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let wrong = try ServerProcess.invoke(["serve", "--data", data, "--config", config])
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("\(config), line 2: 'idle_timeout' must be a whole number"), "\(wrong.output)")
    }

    @Test("settings come from a config file, flags win over it, and a bad line is refused with its number")
    func configFile() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let config = data + "/infinity.toml"
        let settings =
            "# test settings\nack = \"buffered\"\nlisten = \"127.0.0.1:1\"  # overridden by --listen\ntrusted_proxies = [\"10.0.0.0/8\"]\n"
            + "retention = 400\nrollup_retention = 3650\nfold_interval = 2\nquery_cache = 64\ncommit_delay = 500\n"
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess(data: data, arguments: ["--config", config])
        #expect(server.log.contains("ack: buffered"), "\(server.log)")
        #expect(try HTTPConnection(port: server.port).request("GET", "/healthz").status == 200)
        #expect(server.stop() == 0)
        try "ack = \"buffered\"\nport = 8080\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = Process()
        bad.executableURL = ServerProcess.executable
        bad.arguments = ["serve", "--data", data, "--config", config]
        let err = Pipe()
        bad.standardError = err
        try bad.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bad.waitUntilExit()
        #expect(bad.terminationStatus != 0)
        #expect(message.contains("line 2: unknown setting 'port'"), "\(message)")

        // Full TOML: a list over several lines, with comments, is read.
        try "ack = \"buffered\"\ntrusted_proxies = [\n  \"10.0.0.0/8\",  # the balancers\n  \"127.0.0.1\",\n]\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let multiline = try ServerProcess(
            data: data, arguments: ["--data", data, "--listen", "127.0.0.1:0", "--config", config], onlyArguments: true)
        let effective = multiline.log.split(separator: "\n").first { $0.contains("settings") } ?? ""
        #expect(effective.contains("trusted_proxies=10.0.0.0/8,127.0.0.1"), "\(multiline.log)")
        #expect(multiline.stop() == 0)
        // Broken syntax, a setting given twice and a table each name the file and line, also
        // while another server holds the port to listen on (the mistake is named first).
        let holder = try ServerProcess(data: data, sites: [])
        defer { _ = holder.stop() }
        for (text, expected) in [
            ("ack = \"buffered\"\nlisten = \"127.0.0.1:0\n", "line 2:"),
            ("ack = \"buffered\"\n\nack = \"durable\"\n", "line 3:"),
            ("ack = \"buffered\"\n[server]\nport = 1\n", "line 2: unknown setting 'server'"),
            ("idle_timeout = 2.5\n", "line 1: 'idle_timeout' must be a whole number"),
            ("trusted_proxies = [1, 2]\n", "line 1: 'trusted_proxies' must be a list"),
        ] {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let refused = try ServerProcess.invoke(
                ["serve", "--data", data, "--listen", "127.0.0.1:\(holder.port)", "--config", config])
            #expect(refused.status != 0)
            #expect(refused.output.contains("\(config), \(expected)"), "\(text): \(refused.output)")
        }
    }

    @Test("realtime counts the visitors of the last five minutes: seven people now, one of them twice")
    func realtimeCountsLiveVisitors() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "2", "--hits-per-day", "300", "--start",
            "2026-01-01", "--sync", "none",
        ])
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        for visitor in [1, 2, 3, 4, 5, 6, 7, 3] {
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "text/plain", "User-Agent": Self.chrome, "X-Forwarded-For": "198.51.100.\(visitor)",
                ],
                body: Self.event("/now"))
            #expect(response.status == 202)
        }
        let realtime = try ServerProcess.run([
            "query", "example.com", "--data", data, "--realtime", "--format", "json",
        ])
        #expect(realtime.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"visitors":7}"#)
    }

    /// `written` answers before the fsync, so only a power cut may lose its acknowledged hits; a
    /// killed process may not (unlike `buffered`, whose queue dies with it).
    @Test(
        "SIGKILL under load: every hit that got a 202 is in the journal, and it verifies clean",
        arguments: ["durable", "written"])
    func killUnderLoad(ack: String) throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--ack", ack])
        let port = server.port
        let acknowledged = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let connection = try? HTTPConnection(port: port) else { return }
                var i = 0
                while !stop.load(ordering: .relaxed) {
                    guard
                        let response = try? connection.request(
                            "POST", "/api/event",
                            headers: [
                                "Content-Type": "text/plain", "User-Agent": Self.chrome,
                                "X-Forwarded-For": "8.8.\(worker).\(i % 250)",
                            ],
                            body: Self.event("/load/\(worker)/\(i)"))
                    else { return }
                    if response.status == 202 { acknowledged.add(1, ordering: .relaxed) }
                    i += 1
                }
            }
        }
        // Kill it in full flight: once a good number of hits were acknowledged (or after a minute).
        let deadline = Date().addingTimeInterval(60)
        while acknowledged.load(ordering: .relaxed) < 3_000 && Date() < deadline { usleep(1_000) }
        server.kill()
        stop.store(true, ordering: .relaxed)
        group.wait()
        let count = acknowledged.load(ordering: .relaxed)
        #expect(count > 100, "the load produced only \(count) acknowledged hits")
        let stat = try ServerProcess.run(["journal", "stat", "--data", data, "--format", "json"])
        let stats = try cast(JSONSerialization.jsonObject(with: Data(stat.utf8)), to: [String: Any].self)
        #expect(
            try cast(stats["records"], to: Int.self) >= count,
            "acknowledged \(count), journal holds \(stats["records"] ?? 0)")
        #expect(try ServerProcess.run(["journal", "verify", "--data", data]).contains("OK"))
        // None of the client addresses the load sent is anywhere on disk.
        let sentAddresses = (0..<8).flatMap { worker in [1, 17, 99, 249].map { "8.8.\(worker).\($0)" } }
        try Self.expectNoAddresses(sentAddresses, in: data)
    }
}
