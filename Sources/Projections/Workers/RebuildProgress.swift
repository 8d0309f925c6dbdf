import Foundation
import Journal

/// How far a rebuild or catch-up has come; reported as work proceeds.
public struct RebuildProgress: Sendable {
    /// Blocks read so far.
    public var blocksDone: Int
    /// Blocks to read in all.
    public var blocksTotal: Int
    /// Records read so far.
    public var recordsDone: Int64
    /// Records to read in all.
    public var recordsTotal: Int64
    /// Site-days written so far.
    public var daysWritten: Int
}

/// What a rebuild did.
public struct RebuildReport: Sendable {
    /// The generation that is now current.
    public var generation: RollupGeneration
    /// The journal position the rollups cover.
    public var position: UInt64
    /// Blocks read.
    public var blocks: Int
    /// Records read.
    public var records: Int64
    /// Site-days folded and written.
    public var daysWritten: Int
    /// Site-days carried over from the previous generation (other sites, earlier days, or days
    /// whose journal records were deleted by retention).
    public var daysKept: Int
    /// Damaged places and missing records skipped (with `skipCorrupt`); the new generation's
    /// manifest lists them, so answers say what they leave out.
    public var damaged: [DamagedRange]

    /// Records lost to damaged places.
    public var lostRecords: UInt64 { damaged.reduce(0) { $0 + $1.lostRecords } }
}

/// Options of a rebuild.
public struct RebuildOptions: Sendable {
    /// Parallel jobs (threads).
    public var jobs: Int
    /// Only this site; other sites' rollups are kept as they are.
    public var site: String?
    /// Only days from this site-local day on; earlier days are kept as they are.
    public var fromDay: Int64?
    /// Step over damaged blocks (reporting them) instead of stopping.
    public var skipCorrupt: Bool
    /// Keep rollups this many days (counted back from ``now`` in each site's zone); older days are
    /// neither written nor carried over. Nil: keep all.
    public var rollupDays: Int?
    /// The current time (ms UTC) for ``rollupDays``.
    public var now: Int64
    /// Wait for another process's rebuild or catch-up to finish (false: fail with `locked`).
    public var wait: Bool

    /// Options; by default all sites, all days, one job per core, stop at damage.
    public init(
        jobs: Int = RebuildOptions.defaultJobs, site: String? = nil, fromDay: Int64? = nil, skipCorrupt: Bool = false,
        rollupDays: Int? = nil, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000), wait: Bool = true
    ) {
        self.wait = wait
        self.jobs = max(1, jobs)
        self.site = site
        self.fromDay = fromDay
        self.skipCorrupt = skipCorrupt
        self.rollupDays = rollupDays
        self.now = now
    }

    /// The number of cores this process may use.
    public static var defaultJobs: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
