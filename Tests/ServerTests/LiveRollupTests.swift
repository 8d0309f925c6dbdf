import Foundation
import Projections
import Synchronization
import Testing

@Suite("infinity serve folds hits into rollups while it runs", .serialized)
struct LiveRollupTests {
    @Test("hits are in today's rollup within seconds of being acknowledged, without a restart")
    func hitsReachTheRollupsWithinSeconds() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        for i in 0..<30 {
            let response = try connection.request(
                "POST", "/api/event",
                headers: [
                    "Content-Type": "application/json", "User-Agent": ServeEndToEndTests.chrome,
                    "X-Forwarded-For": "203.0.113.\(i % 6)",
                ],
                body: ServeEndToEndTests.event("/live/\(i % 3)"))
            #expect(response.status == 202)
        }
        let acknowledged = Date()  // polled until caught up; how long it takes is Docs/benchmarks.md's
        var lag = -1
        var position = 0
        while Date().timeIntervalSince(acknowledged) < 15 {
            let metrics = try connection.request("GET", "/metrics").body
            func gauge(_ name: String) -> Int {
                metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                    Double($0.split(separator: " ")[1]).map { Int($0) }
                } ?? -1
            }
            lag = gauge("infinity_rollups_lag_records")
            position = gauge("infinity_rollups_position")
            if lag == 0 && position == 30 { break }
            usleep(200_000)
        }
        #expect(lag == 0 && position == 30, "rollups did not catch up within 15 s")
        // The rollup (read while the server runs) counts exactly what was sent.
        let generation = try #require(try RollupStore(dataDirectory: data).current())
        let key = try #require(try generation.keys().first { $0.site == "example.com" })
        let rollup = try #require(try generation.read(key))
        #expect(rollup.totals[DayRollup.wholeDay].pageviews == 30)
        #expect(rollup.totals[DayRollup.wholeDay].visitors == 6)
        #expect(Set(rollup[.page].keys) == ["/live/0", "/live/1", "/live/2"])
        #expect(rollup[.source].keys == ["Google"])
    }
}

extension LiveRollupTests {
    @Test("a rebuild while serve runs and hits arrive: the worker carries on and nothing is lost or doubled")
    func rebuildWhileServing() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "3", "--hits-per-day", "3000", "--sync",
            "none",
        ])
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        let connection = try HTTPConnection(port: server.port)
        func send(_ count: Int, from first: Int) throws {
            for i in first..<(first + count) {
                let response = try connection.request(
                    "POST", "/api/event",
                    headers: [
                        "Content-Type": "application/json", "User-Agent": ServeEndToEndTests.chrome,
                        "X-Forwarded-For": "198.51.100.\(i % 50)",
                    ],
                    body: ServeEndToEndTests.event("/during/\(i % 4)"))
                #expect(response.status == 202)
            }
        }
        try send(40, from: 0)
        let rebuild = Process()
        rebuild.executableURL = ServerProcess.executable
        rebuild.arguments = ["rebuild", "--data", data]
        rebuild.standardOutput = FileHandle.nullDevice
        rebuild.standardError = FileHandle.nullDevice
        try rebuild.run()
        try send(40, from: 40)  // while the rebuild runs
        rebuild.waitUntilExit()
        #expect(rebuild.terminationStatus == 0)
        try send(40, from: 80)
        // Wait until the worker has folded everything durable.
        let deadline = Date().addingTimeInterval(20)
        var lag = -1
        while Date() < deadline {
            let metrics = try connection.request("GET", "/metrics").body
            lag =
                metrics.split(separator: "\n").first { $0.hasPrefix("infinity_rollups_lag_records ") }.flatMap {
                    Double($0.split(separator: " ")[1]).map { Int($0) }
                } ?? -1
            if lag == 0 { break }
            usleep(200_000)
        }
        #expect(lag == 0)
        #expect(server.stop() == 0)
        let live = try Self.rollups(data)
        let clean = try ServerProcess.run(["rebuild", "--data", data])
        #expect(clean.contains("Rebuilt"))
        let rebuilt = try Self.rollups(data)
        #expect(live.keys.sorted() == rebuilt.keys.sorted())
        for (key, rollup) in rebuilt { #expect(live[key]?.hasSameNumbers(as: rollup) == true, "\(key)") }
        let today = try #require(rebuilt.values.first { $0[.page].keys.contains("/during/0") })
        #expect(today.totals[DayRollup.wholeDay].pageviews == 120)
    }

    @Test(
        "three rebuilds and a retention run beside a loaded server: the worker keeps folding, every hit counts once, SIGTERM still stops it"
    )
    func rebuildsBesideALoadedServer() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "4", "--hits-per-day", "40000", "--sync",
            "none",
        ])
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        // A steady stream of hits from another thread until the rebuilds are done.
        let sending = Mutex(true)
        let acknowledged = Mutex(0)
        let refused = Mutex(0)
        let port = server.port
        let sender = Thread {
            guard let connection = try? HTTPConnection(port: port) else { return }
            var i = 0
            while sending.withLock({ $0 }) {
                let response = try? connection.request(
                    "POST", "/api/event",
                    headers: [
                        "Content-Type": "application/json", "User-Agent": ServeEndToEndTests.chrome,
                        "X-Forwarded-For": "198.51.100.\(i % 50)",
                    ],
                    body: ServeEndToEndTests.event("/steady/\(i % 4)"))
                if response?.status == 202 { acknowledged.withLock { $0 += 1 } } else { refused.withLock { $0 += 1 } }
                i += 1
            }
        }
        sender.start()
        for round in 0..<3 {
            let rebuild = try ServerProcess.invoke(["rebuild", "--data", data, "--progress", "none"])
            #expect(rebuild.status == 0, "rebuild \(round): \(rebuild.output)")
        }
        let retention = try ServerProcess.invoke(["retention", "--data", data, "--rollup-retention", "3650"])
        #expect(retention.status == 0, "\(retention.output)")
        sending.withLock { $0 = false }
        while !sender.isFinished { usleep(10_000) }
        #expect(refused.withLock { $0 } == 0)
        let sent = acknowledged.withLock { $0 }
        #expect(sent > 0)
        // Hits sent after the last rebuild are folded by the live worker (it was not stuck).
        let connection = try HTTPConnection(port: server.port)
        let durable = try ServerProcess.metric("infinity_journal_durable_sequence", from: connection)
        let deadline = Date().addingTimeInterval(60)
        var position = -1
        while Date() < deadline {
            position = try ServerProcess.metric("infinity_rollups_position", from: connection)
            if position >= durable { break }
            usleep(100_000)
        }
        #expect(position >= durable, "the live worker stopped folding at \(position) of \(durable)")
        #expect(server.stop(within: 15) == 0, "SIGTERM did not stop the server within 15 s")
        // The live rollups equal a clean rebuild, and every acknowledged hit is counted once.
        let live = try Self.rollups(data)
        #expect(try ServerProcess.invoke(["rebuild", "--data", data, "--progress", "none"]).status == 0)
        let rebuilt = try Self.rollups(data)
        #expect(live.keys.sorted() == rebuilt.keys.sorted())
        for (key, rollup) in rebuilt { #expect(live[key]?.hasSameNumbers(as: rollup) == true, "\(key)") }
        let steady = rebuilt.values.reduce(Int64(0)) { total, day in
            total + day[.page].wholeDay.filter { $0.key.hasPrefix("/steady/") }.reduce(0) { $0 + $1.metrics.pageviews }
        }
        #expect(steady == Int64(sent))
    }

    static func rollups(_ data: String) throws -> [DayKey: DayRollup] {
        let generation = try #require(try RollupStore(dataDirectory: data).current())
        var result: [DayKey: DayRollup] = [:]
        for key in try generation.keys() { result[key] = try generation.read(key) }
        return result
    }
}
