import Foundation
import InfinityTestSupport
import Testing

/// The tracker itself, in a real browser against a real server: its page views, and the
/// engagement reports (seconds visible, deepest scroll) it sends when a page is left.
@Suite("tracker in chromium", .serialized)
struct TrackerTests {
    @Test("the tracker stays within 1 KB gzipped")
    func trackerSize() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        let script = try HTTPConnection(port: server.port).request("GET", "/js/script.js").body
        try script.write(toFile: data + "/script.js", atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-9", "-n", "-c", data + "/script.js"]
        let out = Pipe()
        gzip.standardOutput = out
        try gzip.run()
        let compressed = out.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        #expect(compressed.count > 500 && compressed.count <= 1024, "\(compressed.count) bytes gzipped")
    }

    @Test(
        "a page read, scrolled and hidden: its engagement reaches the server as time on page and scroll depth, and is no page view"
    )
    func engagementFromARealBrowser() throws {
        let chromium = try #require(BrowserTests.chromium, "chromium is needed: `make test` installs it")
        let python = try #require(BrowserTests.python, "`make test` installs the browser driver into .build/oracle")
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run(["sites", "add", "example.com", "--data", data])
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        defer { _ = server.stop() }
        let output = try BrowserTests.drive(
            "tracker_check.py", python: python, [chromium, "http://127.0.0.1:\(server.port)"])
        let report = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Double])
        let articleScroll = try #require(report["article_scroll"])
        #expect(articleScroll > 30 && articleScroll < 100)

        func pages() throws -> [String: [Double?]] {
            let run = try ServerProcess.run([
                "query", "example.com", "--data", data, "--range", "today", "--by", "page", "--metrics",
                "pageviews,scroll_depth,time_on_page", "--format", "json",
            ])
            let object = try JSONSerialization.jsonObject(with: Data(run.utf8)) as? [String: Any]
            var rows: [String: [Double?]] = [:]
            for row in object?["results"] as? [[String: Any]] ?? [] {
                rows[(row["dimensions"] as? [String])?.first ?? ""] = (row["metrics"] as? [Any] ?? []).map {
                    ($0 as? NSNumber)?.doubleValue
                }
            }
            return rows
        }
        var rows: [String: [Double?]] = [:]
        #expect(
            try LiveAdministrationTests.eventually {
                rows = try pages()
                return rows["/article"]?[1] != nil && rows["/next"]?[1] != nil
            }, "the engagement reports never showed: \(rows)")
        // One page view each; the deepest scroll the page measured; whole seconds visible.
        #expect(rows["/article"]?[0] == 1 && rows["/next"]?[0] == 1, "\(rows)")
        #expect(rows["/article"]?[1] == articleScroll, "\(rows)")
        #expect(rows["/next"]?[1] == report["next_scroll"], "\(rows)")
        // Whole seconds visible, as the page measured them (rounded by the server).
        let visible = (report["article_visible_ms"] ?? 0) / 1000
        let counted = (rows["/article"]?[2]).flatMap { $0 } ?? -1
        #expect(
            abs(counted - visible) <= 1 && counted >= 1, "time on page \(counted) s, the page was visible \(visible) s")
        // Engagement reports are neither page views nor events.
        let totals = try ServerProcess.run([
            "query", "example.com", "--data", data, "--range", "today", "--metrics", "visitors,visits,pageviews,events",
            "--format", "csv",
        ])
        #expect(totals.split(separator: "\n").last == "1,1,2,0", "\(totals)")
    }
}
