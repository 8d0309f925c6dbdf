import Journal
import Projections

/// Where a query's day rollups come from: stored cells, or counted on demand from the stored visit
/// tables with a filter, or folded on demand from the journal; in every case the days that journal
/// records not yet folded touch are refolded from the journal, so answers are current.
struct DaySource {
    let worker: ProjectionWorker
    let cache: SectionCache?

    /// Day rollups of `site` for `days` (missing days have no hits).
    struct Loaded {
        var days: [Int64: DayRollup] = [:]
        var fromRollups = 0
        var folded = 0
        var position: UInt64 = 0
        var path = "rollups"
        /// Journal records the answer could not include (damaged or missing), from the rollups'
        /// manifest and from what was folded now.
        var damaged: [DamagedRange] = []
        /// Notes for the reader (damaged day files counted from the journal instead).
        var notes: [String] = []
    }

    /// Loads the days. Only the tables of `dimensions` are counted or read; with `hourly`, cells per
    /// local hour too.
    func load(
        site: String, days: [ClosedRange<Int64>], plan: QueryPlan, dimensions: Set<Dimension>, hourly: Bool,
        engagement: Bool = true
    ) throws -> Loaded {
        let wanted = Set(days.flatMap { Array($0) }).sorted()
        var loaded = Loaded()
        do {
            let filter: HitFilter?
            switch plan {
            case .journal(let journalFilter): filter = journalFilter
            case .visits(let visitsFilter): filter = visitsFilter
            case .rollups: filter = nil
            }
            guard let generation = try worker.store.current(), let manifest = try generation.manifest(),
                manifest.formatVersion == RollupCodec.formatVersion
            else {
                // No rollups (yet): fold everything from the journal.
                return try fold(site: site, days: wanted, filter: filter, dimensions: dimensions, hourly: hourly)
            }
            if case .journal = plan {
                return try fold(site: site, days: wanted, filter: filter, dimensions: dimensions, hourly: hourly)
            }
            let (tailDays, end, tailDamage) = try worker.unfoldedDays(site: site, after: manifest.position)
            var refold = wanted.filter(tailDays.contains)
            let stored = Set(try generation.days(of: site)).subtracting(tailDays)
            let fromFiles = wanted.filter(stored.contains)
            let position = max(manifest.position, end)
            let keys = fromFiles.map { DayKey(site: site, day: $0) }
            let (rollups, unreadable) = try readStored(keys) { keys in
                if case .visits = plan {
                    return try worker.count(
                        keys, in: generation, filter: filter, only: dimensions, hourly: hourly,
                        engagement: engagement, position: position, cache: cache)
                }
                return try keys.compactMap { try generation.read($0, only: dimensions, cache: cache) }
            }
            for rollup in rollups { loaded.days[rollup.day] = rollup }
            // A damaged day file does not take the site's answers down: the journal is the truth,
            // so the day is folded from it, unless retention deleted part of its records.
            let horizonDay = manifest.horizon.map { horizon in
                var clock = worker.calendar.clock(for: site)
                return clock.day(of: horizon - 1)
            }
            for (key, error) in unreadable.sorted(by: { $0.key < $1.key }) {
                if let horizonDay, key.day <= horizonDay { throw error }
                refold.append(key.day)
                loaded.notes.append(
                    "the stored rollups of \(DayKey.isoDate(key.day)) are damaged, so that day was counted from the journal; `infinity rebuild` repairs them"
                )
            }
            let folded = try worker.fold(
                refold.map { DayKey(site: site, day: $0) }, filter: filter, only: dimensions, hourly: hourly)
            for rollup in folded.rollups { loaded.days[rollup.day] = rollup }
            loaded.damaged = manifest.adding(damaged: folded.damaged + tailDamage)
            loaded.fromRollups = fromFiles.count - unreadable.count
            loaded.folded = refold.count
            loaded.position = position
            let base = if case .visits = plan { "visits" } else { "rollups" }
            loaded.path = refold.isEmpty ? base : base + "+tail"
        } catch let error as ProjectionError {
            throw QueryError(.storage, error.description)
        }
        return loaded
    }

    /// Reads stored days with `read`; a damaged day file is left out and returned with its error
    /// (the batch is read again day by day only when one is damaged).
    private func readStored(_ keys: [DayKey], _ read: ([DayKey]) throws -> [DayRollup]) throws -> (
        [DayRollup], [DayKey: ProjectionError]
    ) {
        do {
            return (try read(keys), [:])
        } catch let error as ProjectionError where error.code == .corrupt {
            var rollups: [DayRollup] = []
            var unreadable: [DayKey: ProjectionError] = [:]
            for key in keys {
                do {
                    rollups += try read([key])
                } catch let error as ProjectionError where error.code == .corrupt {
                    unreadable[key] = error
                }
            }
            return (rollups, unreadable)
        }
    }

    /// Every day folded from the journal.
    private func fold(
        site: String, days: [Int64], filter: HitFilter?, dimensions: Set<Dimension>, hourly: Bool
    ) throws -> Loaded {
        var loaded = Loaded()
        let keys = days.map { DayKey(site: site, day: $0) }
        let folded = try worker.fold(keys, filter: filter, only: dimensions, hourly: hourly)
        for rollup in folded.rollups { loaded.days[rollup.day] = rollup }
        loaded.damaged = folded.damaged
        loaded.folded = keys.count
        loaded.position = loaded.days.values.map(\.position).max() ?? 0
        loaded.path = "journal"
        return loaded
    }

    /// The first day of `site` with a stored rollup, or, before any rollups exist, of its first
    /// journal record (read from block headers: the first block that may hold the site).
    func firstDay(site: String) -> Int64? {
        if let generation = try? worker.store.current(), let days = try? generation.days(of: site),
            let first = days.first
        {
            return first
        }
        return worker.firstJournalDay(site: site)
    }
}
