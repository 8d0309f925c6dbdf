import Foundation
import Testing

@testable import Ingest

@Suite struct AccessLogParserTests {
    static func parse(_ format: AccessLogFormat, _ line: String) -> Result<AccessLogRecord, LogLineProblem> {
        format.parse(ArraySlice(Array(line.utf8)), defaultOffset: 0)
    }

    static func record(_ format: AccessLogFormat, _ line: String) throws -> AccessLogRecord {
        switch parse(format, line) {
        case .success(let record): return record
        case .failure(let problem): throw problem
        }
    }

    @Test func combinedLineWithEveryField() throws {
        let record = try Self.record(
            .combined,
            #"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/?q=1 HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0 (X11) Firefox/133.0""#
        )
        #expect(record.client == "83.149.9.216")
        #expect(record.time == 1_431_857_103_000)
        #expect(record.method == "GET" && record.target == "/presentations/?q=1" && record.status == 200)
        #expect(record.bytes == 203_023)
        #expect(record.referrer == "http://semicomplete.com/")
        #expect(record.userAgent == "Mozilla/5.0 (X11) Firefox/133.0")
    }

    @Test func timeZoneOffsetsAreApplied() throws {
        let east = try Self.record(.common, #"1.2.3.4 - - [17/May/2015:12:05:03 +0200] "GET / HTTP/1.1" 200 1"#)
        let west = try Self.record(.common, #"1.2.3.4 - - [17/May/2015:04:35:03 -0530] "GET / HTTP/1.1" 200 1"#)
        #expect(east.time == 1_431_857_103_000)
        #expect(west.time == 1_431_857_103_000)
    }

    @Test func dashSizesAndEmptyOrDashReferrerAndAgent() throws {
        let record = try Self.record(
            .combined, #"1.2.3.4 - frank [17/May/2015:10:05:03 +0000] "GET / HTTP/1.0" 304 - "-" """#)
        #expect(record.bytes == nil && record.referrer == nil && record.userAgent == "")
        let dash = try Self.record(
            .combined, #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.0" 200 5 "" "-""#)
        #expect(dash.referrer == nil && dash.userAgent == nil)
    }

    @Test func ipv6Clients() throws {
        let record = try Self.record(
            .combined, #"2001:db8::42 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/2.0" 200 5 "-" "UA""#)
        #expect(record.client == "2001:db8::42")
    }

    @Test func virtualHostsWithAndWithoutPort() throws {
        let withPort = try Self.record(
            .combinedVhost,
            #"example.com:443 1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "UA""#)
        #expect(withPort.host == "example.com" && withPort.client == "1.2.3.4")
        let bare = try Self.record(
            .combinedVhost,
            #"blog.example.com 1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#)
        #expect(bare.host == "blog.example.com")
    }

    @Test func quotesInsideTheRequestLineAndAgent() throws {
        let record = try Self.record(
            .combined,
            #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /search?q=\"swift\" HTTP/1.1" 200 5 "-" "Agent \"quoted\" 1.0""#
        )
        #expect(record.target == #"/search?q="swift""#)
        #expect(record.userAgent == #"Agent "quoted" 1.0"#)
    }

    @Test(
        "lines cut off or otherwise broken are malformed, with a reason",
        arguments: [
            #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (cut"#,
            #"1.2.3.4 - - [17/May/2015:10:05"#,
            #"1.2.3.4 - - [17/Foo/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#,
            #"not an address - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#,
            #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" abc 5 "-" "UA""#,
            "",
        ])
    func brokenLines(line: String) {
        guard case .failure(let problem) = Self.parse(.combined, line) else {
            Issue.record("\(line) parsed")
            return
        }
        #expect(!problem.reason.isEmpty)
    }

    @Test func unreadableRequestLinesKeepAnEmptyMethod() throws {
        let record = try Self.record(.combined, #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "-" 408 - "-" "-""#)
        #expect(record.method == "" && record.status == 408)
        #expect(PageRules().rejection(record) == .method)
    }

    @Test func caddyJSON() throws {
        let line =
            #"{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","request":{"remote_ip":"127.0.0.1","client_ip":"203.0.113.9","proto":"HTTP/2.0","method":"GET","host":"example.com:443","uri":"/pricing?x=1","headers":{"User-Agent":["Mozilla/5.0 Firefox/133.0"],"Referer":["https://www.google.com/"]}},"size":10900,"status":200}"#
        let record = try Self.record(.caddyJSON, line)
        #expect(record.client == "203.0.113.9" && record.time == 1_646_861_401_524)
        #expect(record.host == "example.com" && record.target == "/pricing?x=1" && record.status == 200)
        #expect(record.userAgent == "Mozilla/5.0 Firefox/133.0" && record.referrer == "https://www.google.com/")
    }

    @Test func nginxJSONWithIsoOrLocalTimes() throws {
        let iso = try Self.record(
            .nginxJSON,
            #"{"time_iso8601":"2015-05-17T12:05:03+02:00","remote_addr":"1.2.3.4","request":"GET /a HTTP/1.1","status":"200","body_bytes_sent":"5","http_referer":"","http_user_agent":"UA","host":"example.com"}"#
        )
        #expect(iso.time == 1_431_857_103_000 && iso.target == "/a" && iso.status == 200 && iso.referrer == nil)
        let local = try Self.record(
            .nginxJSON,
            #"{"time_local":"17/May/2015:10:05:03 +0000","remote_addr":"::1","request_method":"GET","request_uri":"/b","status":404,"http_user_agent":"UA"}"#
        )
        #expect(local.time == 1_431_857_103_000 && local.target == "/b" && local.status == 404)
    }

    @Test func formatDetection() {
        func lines(_ text: [String]) -> [ArraySlice<UInt8>] { text.map { ArraySlice(Array($0.utf8)) } }
        let combined = #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "UA""#
        let common = #"1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5"#
        let vhost = "example.com:80 " + combined
        #expect(AccessLogFormat.detect(lines([combined, combined])) == .combined)
        #expect(AccessLogFormat.detect(lines([common])) == .common)
        #expect(AccessLogFormat.detect(lines([vhost])) == .combinedVhost)
        #expect(AccessLogFormat.detect(lines(["hello world", "this is a poem"])) == nil)
    }

    @Test(
        "page rules: GET, 2xx, and an HTML or no extension",
        arguments: [
            ("GET", 200, "/", nil), ("GET", 200, "/blog/post", nil), ("GET", 200, "/index.php?x=1", nil),
            ("GET", 200, "/a.HTML", nil), ("GET", 200, "/style.css", ImportSummary.Reason.asset),
            ("GET", 200, "/app.js?v=2", .asset), ("GET", 200, "/logo.png", .asset), ("GET", 200, "/font.woff2", .asset),
            ("HEAD", 200, "/", .method), ("POST", 200, "/login", .method), ("GET", 301, "/old", .status),
            ("GET", 404, "/missing", .status), ("GET", 500, "/", .status),
        ])
    func pageRules(method: String, status: Int, target: String, expected: ImportSummary.Reason?) {
        let record = AccessLogRecord(client: "1.2.3.4", time: 0, method: method, target: target, status: status)
        #expect(PageRules().rejection(record) == expected)
    }
}
