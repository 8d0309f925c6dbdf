import Foundation
import Testing

/// One request's cost is bounded: a regular expression that is accepted but slow on long values
/// stops at the query's budget, measured as the server's CPU time for that request.
@Suite("bounded cost of one query", .serialized)
struct QueryCostTests {
    /// The server's CPU time so far (user + system), in seconds, from /proc.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (Double(fields[11]) ?? 0) / ticks + (Double(fields[12]) ?? 0) / ticks
    }

    @Test("a slow accepted expression over long paths costs at most its 2 s budget plus a little (≤ 6 s of CPU)")
    func slowExpressionStopsAtTheBudget() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run(["sites", "add", "example.com", "--data", data])
        // 400 page views of distinct 1,995-character paths: `^/a*a*c$` backtracks quadratically on each.
        let agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/38.0"
        let lines = (0..<400).map { index in
            let path = "/" + String(repeating: "a", count: 1_990) + "b\(index)"
            return
                #"198.51.100.\#(index % 250) - - [18/May/2015:10:\#(10 + index % 50):00 +0000] "GET \#(path) HTTP/1.1" 200 5 "-" "\#(agent)""#
        }
        let log = data + "/long.log"
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        _ = try ServerProcess.run([
            "import", "access-log", log, "--site", "example.com", "--data", data, "--progress", "none",
        ])
        let link = try ServerProcess.run(["sites", "share", "example.com", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(data: data, sites: [])
        defer { _ = server.stop() }
        let http = try HTTPConnection(port: server.port)
        let query =
            #"{"site_id": "example.com", "metrics": ["pageviews"], "date_range": ["2015-05-18", "2015-05-18"], "filters": [["matches", "event:page", ["^/a*a*c$"]]]}"#
        let before = try Self.cpuSeconds(server.process.processIdentifier)
        let answer = try http.request(
            "POST", "/api/dashboard/query", headers: ["X-Share-Token": String(link.dropFirst("/share/".count))],
            body: Array(query.utf8))
        let cost = try Self.cpuSeconds(server.process.processIdentifier) - before
        #expect(answer.status == 200 || (answer.status == 400 && answer.body.contains("budget")), "\(answer.body)")
        #expect(cost <= 6, "one query cost \(cost) s of CPU")
        #expect(try http.request("GET", "/healthz").status == 200)
    }
}
