import Journal

/// Identifies one site-local day of one site.
public struct DayKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The site's domain.
    public var site: String
    /// The site-local day (days since 1970-01-01 in the site's zone).
    public var day: Int64

    /// A site and day.
    public init(site: String, day: Int64) {
        self.site = site
        self.day = day
    }

    /// Site first, then day.
    public static func < (lhs: DayKey, rhs: DayKey) -> Bool { (lhs.site, lhs.day) < (rhs.site, rhs.day) }

    /// `example.com 2026-11-29`.
    public var description: String { "\(site) \(DayKey.isoDate(day))" }

    /// Year, month and day of a day number (days since 1970-01-01): civil-from-days (Howard
    /// Hinnant's algorithm), valid for the proleptic Gregorian calendar.
    public static func civil(_ day: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `yyyy-mm-dd` of a day number.
    public static func isoDate(_ day: Int64) -> String {
        let (y, m, d) = civil(day)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// The day number of `yyyy-mm-dd`, or nil when the text is not such a date.
    public static func day(fromISODate text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y0 = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]), (1...12).contains(m),
            (1...31).contains(d)
        else { return nil }
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let day = era * 146_097 + doe - 719_468
        return isoDate(day) == text ? day : nil  // rejects 2026-02-30
    }
}
