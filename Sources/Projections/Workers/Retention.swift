import Journal
import Logging

/// Deletes old data: raw journal segments after one age, rollups after another.
///
/// Rollups usually outlive the raw journal (a year of daily numbers is small). Before journal
/// segments go, the rollups are brought up to date and the deletion horizon is written into the
/// rollup manifest, so that a later rebuild keeps the days it can no longer recompute instead of
/// replacing them with partial numbers.
public struct Retention: Sendable, Equatable {
    /// Keep raw journal records this many days (nil: forever).
    public var journalDays: Int?
    /// Keep rollups this many days (nil: forever).
    public var rollupDays: Int?

    /// A policy.
    public init(journalDays: Int?, rollupDays: Int?) {
        self.journalDays = journalDays
        self.rollupDays = rollupDays
    }

    /// The first site-local day a retention of `days` keeps at `now`: today and the `days - 1`
    /// days before it.
    public static func firstKeptDay(days: Int, now: Int64, clock: LocalClock) -> Int64 {
        var clock = clock
        return clock.day(of: now) - Int64(days) + 1
    }

    /// What one application of the policy deleted.
    public struct Report: Sendable {
        /// Journal segments deleted.
        public var segments: [String] = []
        /// Site-day rollups deleted.
        public var days: [DayKey] = []
    }

    /// Applies the policy at time `now` (ms UTC), using `worker` to bring rollups up to date first.
    @discardableResult
    public func apply(now: Int64, worker: ProjectionWorker, until: UInt64? = nil, logger: Logger) throws -> Report {
        var report = Report()
        if let journalDays {
            try worker.catchUp(until: until)
            let cutoff = now - Int64(journalDays) * LocalClock.dayLength
            // Under the rollup lock, so that no catch-up or rebuild writes the manifest meanwhile.
            let lock = try RebuildLock(root: worker.store.root)
            defer { lock.release() }
            if let generation = try worker.store.current(), var manifest = try generation.manifest() {
                manifest.horizon = max(manifest.horizon ?? .min, cutoff)
                try generation.write(manifest)
            }
            do {
                report.segments = try JournalRetention(directory: worker.journal).deleteSegments(olderThan: cutoff)
            } catch let error as JournalError {
                throw Rebuilder.journalError(error)
            }
        }
        if let rollupDays {
            let lock = try RebuildLock(root: worker.store.root)
            defer { lock.release() }
            guard let generation = try worker.store.current() else { return report }
            for site in try generation.sites() {
                let first = Self.firstKeptDay(days: rollupDays, now: now, clock: worker.calendar.clock(for: site))
                for day in try generation.days(of: site) where day < first {
                    try generation.remove(DayKey(site: site, day: day))
                    report.days.append(DayKey(site: site, day: day))
                }
            }
        }
        if !report.segments.isEmpty || !report.days.isEmpty {
            logger.info(
                "retention deleted old data",
                metadata: ["segments": "\(report.segments.count)", "rollup-days": "\(report.days.count)"])
        }
        return report
    }
}
