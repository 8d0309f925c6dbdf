import Journal

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
        // Placeholders of erased records have no site; a deleted site's records below its limit
        // are erased (only a block that holds such a site pays for the check).
        let erasures = calendar.erasures
        var limits: [UInt64]? = nil
        var siteClocks: [LocalClock?] = sites.dictionary.enumerated().map { position, name in
            if name.isEmpty { return nil }
            if let site, site != name { return nil }
            if let limit = erasures[name], block.header.firstSequence < limit {
                if limits == nil { limits = Array(repeating: 0, count: sites.dictionary.count) }
                limits![position] = limit
            }
            return clocks[name] ?? calendar.clock(for: name)
        }
        var groups: [(site: UInt32, day: Int64, records: [Int32])] = []
        var last = -1
        for index in 0..<block.count {
            let siteIndex = sites.indices[index]
            guard siteClocks[Int(siteIndex)] != nil else { continue }
            if let limits, block.sequence(at: index) < limits[Int(siteIndex)] { continue }
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
