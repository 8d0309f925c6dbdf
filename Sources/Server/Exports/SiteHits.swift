import Journal
import Projections

/// A site's anonymized hits on some of its local days, read from the journal as `infinity export`
/// and the dashboard's hits download write them: records of a deleted site below its erasure are
/// left out, also before compaction rewrote them.
public struct SiteHits {
    /// The journal folder.
    public let journal: JournalDirectory
    /// The site.
    public let site: String
    /// Its local days wanted, and the clock that decides them.
    public let days: ClosedRange<Int64>
    /// The site's clock, which decides its local days.
    public var clock: LocalClock
    /// Records of the site below this sequence number are erased (``SiteErasures/limits``).
    public let erasedBelow: UInt64

    /// The hits of `site` in its local `days`, read from `journal`.
    public init(
        journal: JournalDirectory, site: String, days: ClosedRange<Int64>, clock: LocalClock, erasedBelow: UInt64
    ) {
        self.journal = journal
        self.site = site
        self.days = days
        self.clock = clock
        self.erasedBelow = erasedBelow
    }

    /// Calls `body` with each hit in journal order; the damaged ranges stepped over.
    public mutating func forEach(_ body: (Hit) throws -> Void) throws -> [DamagedRange] {
        let window =
            LocalClock.looseRange(ofDay: days.lowerBound)
            .lowerBound..<LocalClock.looseRange(ofDay: days.upperBound).upperBound
        var blocks = try JournalReader(directory: journal).blocks(
            BlockSelection(time: window, site: site), skipDamaged: true)
        while let block = try blocks.next() {
            let sites = block.column(.site)
            for index in 0..<block.count where sites[index] == site && block.sequence(at: index) >= erasedBelow {
                let hit = block[index]
                guard days.contains(clock.day(of: hit.timestamp)) else { continue }
                try body(hit)
            }
        }
        return blocks.damaged
    }
}
