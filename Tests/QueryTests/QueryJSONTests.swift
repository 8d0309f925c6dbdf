import Foundation
import Journal
import Projections
import Testing

@testable import Query

/// The Stats API's request and response shapes (Plausible's v2 API), as clients parse them.
@Suite("Stats API JSON shapes")
struct QueryJSONTests {
    static let utc = LocalClock(zone: TimeZone(identifier: "UTC")!)

    static func request(_ json: String) throws -> QueryRequest {
        try QueryRequest(json: Data(json.utf8), clockFor: { _ in Self.utc })
    }

    @Test("a full request body is read field by field")
    func fullRequest() throws {
        let request = try Self.request(
            """
            {"site_id": "example.com", "metrics": ["visitors", "bounce_rate"], "date_range": ["2026-11-01", "2026-11-29"],
             "dimensions": ["visit:country", "time:day"], "filters": [["is", "visit:browser", ["Firefox"]], ["contains", "event:page", ["/blog"]]],
             "order_by": [["visitors", "desc"]], "include": {"imports": false, "comparisons": {"mode": "previous_period"}},
             "pagination": {"limit": 5, "offset": 10}}
            """)
        #expect(request.site == "example.com")
        #expect(request.metrics == [.visitors, .bounceRate])
        #expect(
            request.dateRange
                == .custom(
                    from: try #require(DayKey.day(fromISODate: "2026-11-01")),
                    to: try #require(DayKey.day(fromISODate: "2026-11-29"))))
        #expect(request.dimensions == [.dimension(.country), .time(.day)])
        #expect(
            request.filter
                == .and([
                    .compare(Filter.Comparison(op: .is, dimension: .browser, values: ["Firefox"])),
                    .compare(Filter.Comparison(op: .contains, dimension: .page, values: ["/blog"])),
                ]))
        #expect(request.orderBy == [QueryRequest.Order(key: "visitors", ascending: false)])
        #expect(!request.includeImported && request.comparison == .previousPeriod)
        #expect(request.limit == 5 && request.offset == 10)
    }

    /// Malformed bodies and the field each error must name.
    static let malformedBodies: [(String, String)] = [
        (#"{"site_id": "s", "metrics": ["visitors"], "colour": 1}"#, "colour"),
        (#"{"metrics": ["visitors"]}"#, "site_id"),
        (#"{"site_id": "s", "metrics": ["sessions"]}"#, "metrics"),
        (#"{"site_id": "s", "metrics": ["visitors"], "dimensions": ["visit:planet"]}"#, "dimensions"),
        (#"{"site_id": "s", "metrics": ["visitors"], "filters": [["is", "visit:country"]]}"#, "filters[0]"),
        (#"{"site_id": "s", "metrics": ["visitors"], "order_by": [["visitors", "up"]]}"#, "order_by"),
        (#"{"site_id": "s", "metrics": ["visitors"], "date_range": 30}"#, "date_range"),
        ("[1, 2]", "body"), ("not json at all", "body"),
    ]

    @Test("a malformed body names the field at fault", arguments: Self.malformedBodies)
    func malformed(json: String, field: String) {
        #expect {
            _ = try Self.request(json)
        } throws: { error in
            (error as? QueryError)?.field == field
        }
    }

    @Test(
        "a response: rows of metrics and dimensions, null for a rate with no base, comparison and change, meta, the query echoed"
    )
    func responseShape() throws {
        let request = try Self.request(
            """
            {"site_id": "example.com", "metrics": ["visitors", "bounce_rate"], "date_range": ["2026-11-01", "2026-11-07"],
             "dimensions": ["visit:country"], "filters": [["is_not", "visit:country", ["DE"]]],
             "include": {"comparisons": {"mode": "previous_period"}}}
            """)
        let first = try #require(DayKey.day(fromISODate: "2026-11-01"))
        let result = QueryResult(
            rows: [
                .init(dimensions: ["FR"], metrics: [12, 50], comparison: [6, nil], change: [100, nil]),
                .init(dimensions: ["GB"], metrics: [0, nil], comparison: [0, nil], change: [nil, nil]),
            ],
            totals: .init(dimensions: [], metrics: [12, 50], comparison: [6, nil], change: [100, nil]),
            meta: .init(
                path: "rollups", daysFromRollups: 7, daysFolded: 0, position: 99, milliseconds: 1.234,
                warnings: ["records 5..<9 are unreadable"]),
            days: first...(first + 6), comparisonDays: (first - 7)...(first - 1))
        let object = try #require(
            try JSONSerialization.jsonObject(with: result.json(for: request)) as? [String: Any])
        let rows = try #require(object["results"] as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows[0]["dimensions"] as? [String] == ["FR"])
        #expect(rows[0]["metrics"] as? [Double] == [12, 50])
        let secondMetrics = try #require(rows[1]["metrics"] as? [Any])
        #expect(secondMetrics.count == 2 && secondMetrics[1] is NSNull, "a rate of zero visits is null, not 0")
        let comparison = try #require(rows[0]["comparison"] as? [String: Any])
        #expect((comparison["metrics"] as? [Any])?.first as? Double == 6)
        #expect((comparison["change"] as? [Any])?.first as? Double == 100)
        let meta = try #require(object["meta"] as? [String: Any])
        #expect(meta["path"] as? String == "rollups" && meta["journal_position"] as? Int == 99)
        #expect(meta["warnings"] as? [String] == ["records 5..<9 are unreadable"])
        #expect(meta["time_ms"] as? Double == 1.2)
        let query = try #require(object["query"] as? [String: Any])
        #expect(query["date_range"] as? [String] == ["2026-11-01", "2026-11-07"])
        #expect(query["dimensions"] as? [String] == ["country"], "echoed as understood: the optional prefix dropped")
        #expect((query["comparison"] as? [String: Any])?["date_range"] as? [String] == ["2026-10-25", "2026-10-31"])
        let filters = try #require(query["filters"] as? [[Any]])
        #expect(filters.first?.first as? String == "is_not")
    }

    /// Labels a visitor could send (quotes, backslashes, control characters, emoji) and numbers of
    /// every kind.
    static let awkwardLabels = ["say \"hi\"", #"C:\path"#, "line\nbreak\ttab", "bell\u{07}", "Ünïcödé 🚀", "/a/b"]
    static let awkwardNumbers: [Double?] = [0, 7293, -3, 2.263828360710694, 1e-7, 1e20, nil, .nan, .infinity]

    @Test("answers with awkward labels and numbers read back exactly as they were")
    func awkwardValuesRoundTrip() throws {
        let request = try Self.request(
            #"{"site_id": "example.com", "metrics": ["visitors"], "date_range": ["2026-11-01", "2026-11-01"], "dimensions": ["event:page"], "filters": [["and", [["contains", "event:page", ["\""]], ["not", ["is", "visit:country", ["DE"]]]]]]}"#
        )
        let day = try #require(DayKey.day(fromISODate: "2026-11-01"))
        let result = QueryResult(
            rows: Self.awkwardLabels.map { .init(dimensions: [$0], metrics: Self.awkwardNumbers) },
            totals: .init(dimensions: [], metrics: [1]),
            meta: .init(path: "rollups", daysFromRollups: 1, daysFolded: 0, position: 0, milliseconds: 0, warnings: []),
            days: day...day, comparisonDays: nil)
        let object = try #require(
            try JSONSerialization.jsonObject(with: result.json(for: request)) as? [String: Any])
        let rows = try #require(object["results"] as? [[String: Any]])
        #expect(rows.compactMap { ($0["dimensions"] as? [String])?.first } == Self.awkwardLabels)
        let numbers = try #require(rows.first?["metrics"] as? [Any])
        let read = numbers.map { ($0 as? NSNumber)?.doubleValue }
        #expect(read == [0, 7293, -3, 2.263828360710694, 1e-7, 1e20, nil, nil, nil], "NaN and infinity are null")
        let query = try #require(object["query"] as? [String: Any])
        let filters = try #require(query["filters"] as? [[Any]])
        #expect(filters.first?.first as? String == "and")
        let parts = try #require(filters.first?.last as? [[Any]])
        #expect(parts.count == 2 && (parts[0].last as? [String]) == ["\""] && parts[1].first as? String == "not")
        #expect((query["pagination"] as? [String: Any])?["limit"] is NSNull)
    }

    @Test("CSV answers quote awkward labels, guard formulas and carry the JSON's numbers")
    func csvRoundTrip() throws {
        let request = try Self.request(
            #"{"site_id": "example.com", "metrics": ["visitors", "bounce_rate"], "date_range": ["2026-11-01", "2026-11-01"], "dimensions": ["event:page"]}"#
        )
        let day = try #require(DayKey.day(fromISODate: "2026-11-01"))
        let labels = Self.awkwardLabels + ["=SUM(A1)", "-1", "a, b", ""]
        let result = QueryResult(
            rows: labels.enumerated().map { index, label in
                .init(dimensions: [label], metrics: [Self.awkwardNumbers[index % Self.awkwardNumbers.count], 2.5])
            },
            totals: .init(dimensions: [], metrics: [1, nil]),
            meta: .init(path: "rollups", daysFromRollups: 1, daysFolded: 0, position: 0, milliseconds: 0, warnings: []),
            days: day...day, comparisonDays: nil)
        let records = Self.parseCSV(String(decoding: result.csv(for: request), as: UTF8.self))
        #expect(records.first == ["page", "visitors", "bounce_rate"])
        let guarded = labels.map {
            ["=", "+", "-", "@", "\t", "\r"].contains($0.first.map(String.init) ?? "") ? "'" + $0 : $0
        }
        #expect(records.dropFirst().map { $0[0] } == guarded)
        let json = try #require(
            try JSONSerialization.jsonObject(with: result.json(for: request)) as? [String: Any])
        let jsonRows = try #require(json["results"] as? [[String: Any]])
        for (record, row) in zip(records.dropFirst(), jsonRows) {
            let numbers = try #require(row["metrics"] as? [Any])
            #expect(record.dropFirst().map { Double($0) } == numbers.map { ($0 as? NSNumber)?.doubleValue })
        }
        // Without dimensions the one line is the totals.
        let totals = try Self.request(
            #"{"site_id": "example.com", "metrics": ["visitors", "bounce_rate"], "date_range": ["2026-11-01", "2026-11-01"]}"#
        )
        #expect(String(decoding: result.csv(for: totals), as: UTF8.self) == "visitors,bounce_rate\n1,\n")
    }

    /// RFC 4180 records: fields split at commas outside quotes, `""` inside quotes is one quote.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(character)
            }
        }
        return records
    }
}
