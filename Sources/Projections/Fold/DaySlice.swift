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

    /// `yyyy-mm-dd` of a day number.
    public static func isoDate(_ day: Int64) -> String {
        // Civil-from-days (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
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

/// The records of one block that belong to one site-day.
public struct DaySlice: Sendable {
    /// The decoded block.
    public let block: HitBlock
    /// Indices of the records in `block`, ascending.
    public let records: [Int32]

    /// A slice.
    public init(block: HitBlock, records: [Int32]) {
        self.block = block
        self.records = records
    }
}

/// Splits decoded blocks into slices by site and site-local day.
public struct DayPartitioner: Sendable {
    /// The calendar that says where each site's days begin.
    public let calendar: SiteCalendar
    /// Only this site, when set.
    public let site: String?
    /// Only days from this one on, when set.
    public let fromDay: Int64?
    private var clocks: [String: LocalClock] = [:]

    /// A partitioner.
    public init(calendar: SiteCalendar, site: String? = nil, fromDay: Int64? = nil) {
        self.calendar = calendar
        self.site = site
        self.fromDay = fromDay
    }

    /// The block's records by site-day, in the order of their first record.
    public mutating func partition(_ block: HitBlock) -> [(DayKey, DaySlice)] {
        let sites = block.column(.site)
        var siteClocks: [LocalClock?] = sites.dictionary.map { name in
            if let site, site != name { return nil }
            return clocks[name] ?? calendar.clock(for: name)
        }
        var groups: [(site: UInt32, day: Int64, records: [Int32])] = []
        var last = -1
        for index in 0..<block.count {
            let siteIndex = sites.indices[index]
            guard siteClocks[Int(siteIndex)] != nil else { continue }
            let day = siteClocks[Int(siteIndex)]!.day(of: block.timestamps[index])
            if let fromDay, day < fromDay { continue }
            if last < 0 || groups[last].site != siteIndex || groups[last].day != day {
                last = groups.firstIndex { $0.site == siteIndex && $0.day == day } ?? -1
                if last < 0 {
                    groups.append((siteIndex, day, []))
                    last = groups.count - 1
                }
            }
            groups[last].records.append(Int32(index))
        }
        for (index, name) in sites.dictionary.enumerated() {
            if let clock = siteClocks[index] { clocks[name] = clock }
        }
        return groups.map { group in
            (
                DayKey(site: sites.dictionary[Int(group.site)], day: group.day),
                DaySlice(block: block, records: group.records)
            )
        }
    }
}
