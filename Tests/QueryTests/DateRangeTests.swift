import Foundation
import Journal
import Projections
import Testing

@testable import Query

/// Date ranges are read in the site's time zone, and days and times stay right across clock
/// changes and month ends.
@Suite("date ranges in the site's zone")
struct DateRangeTests {
    static let berlin = LocalClock(zone: TimeZone(identifier: "Europe/Berlin")!)
    static let utc = LocalClock(zone: TimeZone(identifier: "UTC")!)
    static let hour: Int64 = 3_600_000

    static func day(_ iso: String) throws -> Int64 { try #require(DayKey.day(fromISODate: iso)) }

    /// ms UTC of a UTC wall time.
    static func utcInstant(_ iso: String) throws -> Int64 {
        let formatter = ISO8601DateFormatter()
        let date = try #require(formatter.date(from: iso + ":00Z"))
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    @Test("the spring-forward night: 01:00 to 04:00 in Berlin is two hours, not three")
    func springForwardIsShorter() throws {
        let range = try DateRange(parsing: "2026-03-29T01:00..2026-03-29T04:00", zone: Self.berlin)
        guard case .instants(let from, let to) = range else {
            Issue.record("expected a range of instants, got \(range)")
            return
        }
        #expect(from == (try Self.utcInstant("2026-03-29T00:00")))  // 01:00 CET
        #expect(to == (try Self.utcInstant("2026-03-29T02:00")))  // 04:00 CEST
        #expect(to - from == 2 * Self.hour)
    }

    @Test("the fall-back night: 01:00 to 04:00 in Berlin is four hours")
    func fallBackIsLonger() throws {
        let range = try DateRange(parsing: "2026-10-25T01:00..2026-10-25T04:00", zone: Self.berlin)
        guard case .instants(let from, let to) = range else {
            Issue.record("expected a range of instants, got \(range)")
            return
        }
        #expect(from == (try Self.utcInstant("2026-10-24T23:00")))  // 01:00 CEST
        #expect(to == (try Self.utcInstant("2026-10-25T03:00")))  // 04:00 CET
        #expect(to - from == 4 * Self.hour)
    }

    @Test("times in the site's zone: the same text is a different instant in Berlin and in UTC")
    func timesAreSiteLocal() throws {
        let text = "2026-07-01T10:00..2026-07-01T11:00"
        guard case .instants(let berlinFrom, _) = try DateRange(parsing: text, zone: Self.berlin),
            case .instants(let utcFrom, _) = try DateRange(parsing: text, zone: Self.utc)
        else {
            Issue.record("expected ranges of instants")
            return
        }
        #expect(utcFrom - berlinFrom == 2 * Self.hour)  // CEST is UTC+2
    }

    @Test("a range of times covers the site-local days it touches")
    func instantsCoverTheirLocalDays() throws {
        let range = try DateRange(parsing: "2026-10-24T23:30..2026-10-25T00:30", zone: Self.berlin)
        let days = range.days(today: try Self.day("2026-11-01"), firstDay: nil, clock: Self.berlin)
        #expect(days == (try Self.day("2026-10-24"))...(try Self.day("2026-10-25")))
    }

    @Test("named ranges count calendar days: months of 28, 29, 30 and 31 days and the year")
    func namedRanges() throws {
        let march3 = try Self.day("2024-03-03")  // 2024 is a leap year
        func days(_ text: String, today: Int64) throws -> ClosedRange<Int64> {
            try DateRange(parsing: text, zone: Self.utc).days(today: today, firstDay: nil, clock: Self.utc)
        }
        #expect(try days("last-month", today: march3) == (try Self.day("2024-02-01"))...(try Self.day("2024-02-29")))
        #expect(
            try days("last-month", today: try Self.day("2025-03-31"))
                == (try Self.day("2025-02-01"))...(try Self.day("2025-02-28")))
        #expect(try days("month", today: march3) == (try Self.day("2024-03-01"))...march3)
        #expect(try days("7d", today: march3) == (try Self.day("2024-02-26"))...march3)
        #expect(try days("12mo", today: march3) == (try Self.day("2023-04-01"))...march3)
        #expect(try days("year", today: march3) == (try Self.day("2024-01-01"))...march3)
        #expect(try days("yesterday", today: march3) == (march3 - 1)...(march3 - 1))
        #expect(
            try days("all", today: march3).lowerBound == march3,
            "with no data, all is today only")
        let all = try DateRange(parsing: "all", zone: Self.utc).days(
            today: march3, firstDay: try Self.day("2013-05-01"), clock: Self.utc)
        #expect(all.lowerBound == (try Self.day("2013-05-01")))
    }

    @Test(
        "wrong ranges are refused with what to write instead",
        arguments: [
            ("2026-11-29..2026-11-01", "starts"), ("last-fortnight", "is not a date range"),
            ("2026-11-01T10:00..2026-11-01T09:00", "starts"), ("2026-11-01T25:00..2026-11-02T01:00", "two times"),
            ("0d", "is not a date range"),
        ])
    func wrongRangesAreRefused(text: String, expected: String) {
        #expect {
            _ = try DateRange(parsing: text, zone: Self.utc)
        } throws: { error in
            (error as? QueryError)?.field == "date_range" && "\(error)".contains(expected)
        }
    }
}
