import Foundation
import InfinityTestSupport
import Testing

@Suite("Stats API: POST /api/v2/query", .serialized)
struct StatsAPITests {
    static let request =
        #"{"site_id": "example.com", "metrics": ["visitors", "pageviews", "bounce_rate"], "date_range": ["2026-10-01", "2026-10-05"], "dimensions": ["visit:country"], "filters": [["contains", "event:page", ["/blog"]]]}"#

    @Test("keys guard the API, and its answers equal `infinity query --json`")
    func answersMatchTheCommandLine() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--site", "shop.example", "--days", "5",
            "--hits-per-day", "800", "--start", "2026-10-01", "--sync", "none",
        ])
        let key = try ServerProcess.run(["keys", "create", "test", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let shopOnly = try ServerProcess.run(["keys", "create", "shop", "--site", "shop.example", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("im_") && key.count == 67)
        // Only hashes are stored.
        let stored = try String(contentsOfFile: data + "/keys.json", encoding: .utf8)
        #expect(!stored.contains(key) && !stored.contains(shopOnly))

        let server = try ServerProcess(data: data)
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        let body = Array(Self.request.utf8)
        #expect(try connection.request("POST", "/api/v2/query", body: body).status == 401)
        #expect(
            try connection.request("POST", "/api/v2/query", headers: ["Authorization": "Bearer im_wrong"], body: body)
                .status == 401)
        #expect(
            try connection.request(
                "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(shopOnly)"], body: body
            )
            .status == 403)
        let bad = try connection.request(
            "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)"],
            body: Array(#"{"site_id": "example.com", "metrics": ["visits", "sessions"]}"#.utf8))
        #expect(bad.status == 400)
        #expect(bad.body.contains("unknown metric 'sessions'") && bad.body.contains("bounce_rate"))
        let huge = try connection.request(
            "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)"],
            body: Array(repeating: UInt8(ascii: " "), count: 70_000))
        #expect(huge.status == 413)

        let answer = try connection.request(
            "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
            body: body)
        #expect(answer.status == 200)
        let api = try cast(JSONSerialization.jsonObject(with: Data(answer.body.utf8)), to: [String: Any].self)
        try Self.request.write(toFile: data + "/request.json", atomically: true, encoding: .utf8)
        let cli = try cast(
            JSONSerialization.jsonObject(
                with: Data(
                    try ServerProcess.run([
                        "query", "--data", data, "--json", data + "/request.json", "--format", "json",
                    ]).utf8)),
            to: [String: Any].self)
        let apiRows = try cast(api["results"], to: [[String: Any]].self)
        #expect(apiRows.count > 5)
        #expect(try NSArray(array: apiRows).isEqual(to: cast(cli["results"], to: [[String: Any]].self)))
        // `Accept: text/csv` gets the same rows as `infinity query --format csv`, byte for byte.
        let csv = try connection.request(
            "POST", "/api/v2/query", headers: ["Authorization": "Bearer \(key)", "Accept": "text/csv"], body: body)
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        let cliCSV = try ServerProcess.run([
            "query", "--data", data, "--json", data + "/request.json", "--format", "csv",
        ])
        #expect(csv.body == cliCSV && csv.body.split(separator: "\n").count == apiRows.count + 1)
        // The filter needs each visit's hits: the stored visit tables answer (once the server has
        // built its rollups) or the journal does (before that); both count the same.
        let path = (api["meta"] as? [String: Any])?["path"] as? String ?? ""
        #expect(["visits", "visits+tail", "journal"].contains(path), "\(path)")
    }
}
