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
        // Two passes: each record's group (a site-day, numbered in the order of its first record),
        // then each group's records written into an array of its exact size. Appending to nested
        // arrays record by record checked both arrays' uniqueness and capacity every time.
        var groups: [(site: UInt32, day: Int64, count: Int)] = []
        let skipped = -1
        var groupOf = [Int](repeating: skipped, count: block.count)
        // The group a site's records went to last (a block's records of one site rarely change day).
        var current = [Int](repeating: skipped, count: siteClocks.count)
        block.timestamps.withUnsafeBufferPointer { times in
            sites.indices.withUnsafeBufferPointer { siteIndices in
                for index in 0..<block.count {
                    let siteIndex = Int(siteIndices[index])
                    guard siteClocks[siteIndex] != nil else { continue }
                    if let limits, block.sequence(at: index) < limits[siteIndex] { continue }
                    let day = siteClocks[siteIndex]!.day(of: times[index])
                    if let fromDay, day < fromDay { continue }
                    var group = current[siteIndex]
                    if group == skipped || groups[group].day != day {
                        group = groups.firstIndex { $0.site == UInt32(siteIndex) && $0.day == day } ?? skipped
                        if group == skipped {
                            groups.append((UInt32(siteIndex), day, 0))
                            group = groups.count - 1
                        }
                        current[siteIndex] = group
                    }
                    groups[group].count += 1
                    groupOf[index] = group
                }
            }
        }
        // Every group's records in one array, group after group; each group's part is then copied out.
        var next = [Int](repeating: 0, count: groups.count)
        for group in groups.indices.dropFirst() { next[group] = next[group - 1] + groups[group - 1].count }
        let starts = next
        let kept = groups.reduce(0) { $0 + $1.count }
        let flat = [Int32](unsafeUninitializedCapacity: kept) { flat, initialized in
            // The counts above sum to `kept`, and each group's `next` stays below its part's end.
            for (index, group) in groupOf.enumerated() where group != skipped {
                flat[next[group]] = Int32(index)
                next[group] += 1
            }
            initialized = kept
        }
        let records = groups.indices.map { Array(flat[starts[$0]..<(starts[$0] + groups[$0].count)]) }
        for (index, name) in sites.dictionary.enumerated() {
            if let clock = siteClocks[index] { clocks[name] = clock }
        }
        return zip(groups, records).map { group, records in
            (DayKey(site: sites.dictionary[Int(group.site)], day: group.day), DaySlice(block: block, records: records))
        }
    }
}
