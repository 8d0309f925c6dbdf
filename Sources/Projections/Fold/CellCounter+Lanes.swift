extension CellCounter {
    /// Where each lane's run of visitors starts, then the visitor count: `[0, …, visitorCount]`.
    /// One run (no split) unless the day is large and its `cells` far fewer than its hits, since
    /// every further lane clears and adds up cells of its own; runs hold about equal shares of
    /// the hits, and a visitor is in one run only.
    static func visitorRuns(of table: VisitTable, cells: Int, lanes: Int) -> [Int] {
        let visitorCount = table.visitorCount
        guard lanes > 1, table.hitCount >= 1 << 16, cells * 8 <= table.hitCount else { return [0, visitorCount] }
        let runs = min(lanes, 8)
        let visitStarts = table.visitStarts.view, visitorStarts = table.visitorStarts.view
        var starts = [0]
        withExtendedLifetime(table) {
            for run in 1..<runs {
                // The first visitor whose hits start at or after this run's share of the hits.
                let target = table.hitCount * run / runs
                var low = starts[run - 1], high = visitorCount
                while low < high {
                    let middle = (low + high) / 2
                    if Int(visitStarts[Int(visitorStarts[middle])]) < target { low = middle + 1 } else { high = middle }
                }
                starts.append(low)
            }
        }
        starts.append(visitorCount)
        return starts
    }

    /// The counting of one lane's visitors, handed to the lanes' threads.
    ///
    /// `@unchecked Sendable`: every lane only reads the visit table's columns and the question's
    /// masks (none of which change while counting) and writes only its own cells, and
    /// `concurrentPerform` returns only after every lane has finished.
    struct Lanes: @unchecked Sendable {
        let count: (Int) -> Void
    }
}
