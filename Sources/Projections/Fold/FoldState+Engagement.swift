import Journal

/// Engagement reports: set aside while gathering, attached to visits once visits are cut.
extension FoldState {
    /// The slices without their engagement reports, which go to ``pendingEngagements``. A block
    /// without the name `engagement` is passed on as it is.
    mutating func setAsideEngagements(_ slices: [DaySlice]) -> [DaySlice] {
        var kept: [DaySlice] = []
        kept.reserveCapacity(slices.count)
        for slice in slices {
            let names = slice.block.column(.name)
            guard let entry = names.dictionary.firstIndex(of: Hit.engagement) else {
                kept.append(slice)
                continue
            }
            let block = slice.block
            let pathColumn = block.column(.pathname), hostColumn = block.column(.hostname)
            var records: [Int32] = []
            records.reserveCapacity(slice.records.count)
            for record in slice.records {
                let index = Int(record)
                guard names.indices[index] == UInt32(entry) else {
                    records.append(record)
                    continue
                }
                var seconds: UInt32 = 0
                var scroll: UInt8 = 0
                for property in block.props.properties(of: index) {
                    if property.key == Hit.engagedProperty {
                        seconds = UInt32(clamping: Int(property.value) ?? 0)
                    } else if property.key == Hit.scrollProperty {
                        scroll = UInt8(clamping: min(100, max(0, Int(property.value) ?? 0)))
                    }
                }
                let time = block.timestamps[index]
                pendingEngagements.append(
                    PendingEngagement(
                        visitor: block.visitorIDs[index], time: time,
                        page: spaces[KeySpace.page.rawValue].intern(
                            pathColumn.dictionary[Int(pathColumn.indices[index])]),
                        hostname: spaces[KeySpace.hostname.rawValue].intern(
                            hostColumn.dictionary[Int(hostColumn.indices[index])]),
                        hour: UInt8(clock.dayAndHour(of: time).hour), seconds: seconds, scroll: scroll))
            }
            if !records.isEmpty { kept.append(DaySlice(block: block, records: records)) }
        }
        return kept
    }

    /// Attaches every pending report to the visit of its visitor that began last at or before it
    /// (after ``splitVisits()``); a report with no such visit (its visitor has no other hit that
    /// day, or none before it) gets visit -1 and counts nowhere.
    mutating func attachEngagements() {
        guard !pendingEngagements.isEmpty else { return }
        var attached: [Engagement] = []
        attached.reserveCapacity(pendingEngagements.count)
        for report in pendingEngagements {
            var chosen = -1
            if let visitor = visitorIDs.number(of: report.visitor) {
                let visits = Int(columns.visitorStarts[Int(visitor)])..<Int(columns.visitorStarts[Int(visitor) + 1])
                for visit in visits {
                    guard rows[Int(visitEnds[visit].first)].time <= report.time else { break }
                    chosen = visit
                }
            }
            attached.append(
                Engagement(
                    visit: Int32(chosen), page: report.page, hostname: report.hostname, hour: report.hour,
                    seconds: report.seconds, scroll: report.scroll, time: report.time))
        }
        // By visit and page: the reports on one page in one visit count as one (see CellCounter).
        attached.sort { ($0.visit, $0.page, $0.time) < ($1.visit, $1.page, $1.time) }
        columns.engagements = attached
    }
}
