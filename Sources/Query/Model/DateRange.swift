import Foundation
import Journal
import Projections

/// The days (or the stretch of time) a query covers, in the site's time zone.
public enum DateRange: Sendable, Hashable, CustomStringConvertible {
    /// Today so far.
    case today
    /// Yesterday.
    case yesterday
    /// The last `n` days, today included (`7d`, `28d`, `30d`, `91d`).
    case days(Int)
    /// This calendar month so far.
    case month
    /// The previous calendar month.
    case lastMonth
    /// This month and the `n - 1` before it (`6mo`, `12mo`).
    case months(Int)
    /// This calendar year so far.
    case year
    /// Every day that has data, up to today.
    case all
    /// From one site-local day to another, both included.
    case custom(from: Int64, to: Int64)
    /// From one instant to another (ms UTC, end excluded): answered from raw hits.
    case instants(from: Int64, to: Int64)

    /// Parses `today`, `yesterday`, `7d`, `30d`, `month`, `last-month`, `6mo`, `12mo`, `year`,
    /// `all`, `2026-11-01..2026-11-29` or `2026-11-01T10:00..2026-11-01T18:00` (site-local times).
    public init(parsing text: String, zone clock: LocalClock) throws {
        let lower = text.lowercased()
        switch lower {
        case "today", "day": self = .today
        case "yesterday": self = .yesterday
        case "month": self = .month
        case "last-month", "last_month", "previous_month": self = .lastMonth
        case "year": self = .year
        case "all": self = .all
        default:
            if lower.hasSuffix("mo"), let n = Int(lower.dropLast(2)), (1...120).contains(n) {
                self = .months(n)
            } else if lower.hasSuffix("d"), let n = Int(lower.dropLast()), (1...3660).contains(n) {
                self = .days(n)
            } else if let separator = text.range(of: "..") ?? text.range(of: ",") {
                self = try Self.explicit(
                    String(text[..<separator.lowerBound]), String(text[separator.upperBound...]), clock: clock)
            } else if let day = DayKey.day(fromISODate: text) {
                self = .custom(from: day, to: day)
            } else {
                throw QueryError.invalid(
                    "'\(text)' is not a date range; use today, yesterday, 7d, 28d, 30d, month, last-month, 6mo, 12mo, "
                        + "year, all, or FROM..TO with dates (2026-11-01..2026-11-29) or times (2026-11-01T10:00..2026-11-01T18:00)",
                    field: "date_range")
            }
        }
    }

    /// Two explicit ends: dates (both days included) or site-local date-times (end excluded).
    public static func explicit(_ from: String, _ to: String, clock: LocalClock) throws -> DateRange {
        let first = from.trimmingCharacters(in: .whitespaces), last = to.trimmingCharacters(in: .whitespaces)
        if let start = DayKey.day(fromISODate: first), let end = DayKey.day(fromISODate: last) {
            guard start <= end else {
                throw QueryError.invalid("the range starts (\(first)) after it ends (\(last))", field: "date_range")
            }
            return .custom(from: start, to: end)
        }
        guard let start = localInstant(first, clock: clock), let end = localInstant(last, clock: clock) else {
            throw QueryError.invalid(
                "'\(first)..\(last)' needs two dates (2026-11-01) or two times (2026-11-01T10:00 or 2026-11-01T10:00:00)",
                field: "date_range")
        }
        guard start < end else {
            throw QueryError.invalid("the range starts (\(first)) at or after it ends (\(last))", field: "date_range")
        }
        return .instants(from: start, to: end)
    }

    /// `2026-11-01T10:00[:00]` in the site's zone → ms UTC.
    static func localInstant(_ text: String, clock: LocalClock) -> Int64? {
        let parts = text.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, let day = DayKey.day(fromISODate: String(parts[0])) else { return nil }
        let clockParts = parts[1].replacingOccurrences(of: "Z", with: "").split(separator: ":").map { Int64($0) }
        guard (2...3).contains(clockParts.count), clockParts.allSatisfy({ $0 != nil }) else { return nil }
        let hour = clockParts[0]!, minute = clockParts[1]!, second = clockParts.count == 3 ? clockParts[2]! : 0
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        let local = day * LocalClock.dayLength + (hour * 3600 + minute * 60 + second) * 1000
        var clock = clock
        // The offset at the guessed instant; correct except within an hour of a clock change.
        let guess = local - clock.offset(at: local)
        return local - clock.offset(at: guess)
    }

    /// The site-local days covered, given today's day number and the first day with data.
    public func days(today: Int64, firstDay: Int64?, clock: LocalClock) -> ClosedRange<Int64> {
        switch self {
        case .today: return today...today
        case .yesterday: return (today - 1)...(today - 1)
        case .days(let n): return (today - Int64(n) + 1)...today
        case .month: return CivilDays.monthStart(of: today)...today
        case .lastMonth:
            let start = CivilDays.monthStart(of: CivilDays.monthStart(of: today) - 1)
            return start...(CivilDays.monthStart(of: today) - 1)
        case .months(let n):
            var start = CivilDays.monthStart(of: today)
            for _ in 1..<max(n, 1) { start = CivilDays.monthStart(of: start - 1) }
            return start...today
        case .year: return CivilDays.yearStart(of: today)...today
        case .all: return min(firstDay ?? today, today)...today
        case .custom(let from, let to): return from...to
        case .instants(let from, let to):
            var clock = clock
            return clock.day(of: from)...clock.day(of: to - 1)
        }
    }

    /// The text form (`30d`, `2026-11-01..2026-11-29`).
    public var description: String {
        switch self {
        case .today: "today"
        case .yesterday: "yesterday"
        case .days(let n): "\(n)d"
        case .month: "month"
        case .lastMonth: "last-month"
        case .months(let n): "\(n)mo"
        case .year: "year"
        case .all: "all"
        case .custom(let from, let to): "\(DayKey.isoDate(from))..\(DayKey.isoDate(to))"
        case .instants(let from, let to): "\(from)ms..\(to)ms"
        }
    }
}

/// Civil-calendar helpers on day numbers.
enum CivilDays {
    /// (year, month, day) of a day number.
    static func civil(_ day: Int64) -> (year: Int64, month: Int64, day: Int64) { DayKey.civil(day) }

    static func monthStart(of day: Int64) -> Int64 { day - civil(day).day + 1 }

    static func yearStart(of day: Int64) -> Int64 {
        DayKey.day(fromISODate: String(DayKey.isoDate(day).prefix(4)) + "-01-01")!
    }

    /// Monday of the ISO week holding `day` (1970-01-01 was a Thursday).
    static func weekStart(of day: Int64) -> Int64 {
        let weekday = ((day + 3) % 7 + 7) % 7  // 0 = Monday
        return day - weekday
    }

    /// The same day one year earlier (Feb 29 → Feb 28).
    static func yearEarlier(_ day: Int64) -> Int64 {
        let (year, month, date) = civil(day)
        func iso(_ y: Int64, _ m: Int64, _ d: Int64) -> String {
            let pad = { (v: Int64, w: Int) in String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
        }
        return DayKey.day(fromISODate: iso(year - 1, month, date)) ?? DayKey.day(fromISODate: iso(year - 1, month, 28))!
    }
}
