import Foundation
import Projections
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
        let acknowledged = Date()
        var lag = -1
        var position = 0
        while Date().timeIntervalSince(acknowledged) < 15 {
            let metrics = try connection.request("GET", "/metrics").body
            func gauge(_ name: String) -> Int {
                metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                    Int($0.split(separator: " ")[1])
                } ?? -1
            }
            lag = gauge("infinity_rollups_lag_records")
            position = gauge("infinity_rollups_position")
            if lag == 0 && position == 30 { break }
            usleep(200_000)
        }
        let seconds = Date().timeIntervalSince(acknowledged)
        #expect(lag == 0 && position == 30, "rollups did not catch up within 15 s")
        #expect(seconds < 5, "took \(seconds) s")
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
