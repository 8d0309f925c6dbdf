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
            let refold = wanted.filter(tailDays.contains)
            let stored = Set(try generation.days(of: site)).subtracting(tailDays)
            let fromFiles = wanted.filter(stored.contains)
            let position = max(manifest.position, end)
            let keys = fromFiles.map { DayKey(site: site, day: $0) }
            let rollups: [DayRollup]
            if case .visits = plan {
                rollups = try worker.count(
                    keys, in: generation, filter: filter, only: dimensions, hourly: hourly, engagement: engagement,
                    position: position, cache: cache)
            } else {
                rollups = try keys.compactMap { try generation.read($0, only: dimensions, cache: cache) }
            }
            for rollup in rollups { loaded.days[rollup.day] = rollup }
            let folded = try worker.fold(
                refold.map { DayKey(site: site, day: $0) }, filter: filter, only: dimensions, hourly: hourly)
            for rollup in folded.rollups { loaded.days[rollup.day] = rollup }
            loaded.damaged = manifest.adding(damaged: folded.damaged + tailDamage)
            loaded.fromRollups = fromFiles.count
            loaded.folded = refold.count
            loaded.position = position
            let base = if case .visits = plan { "visits" } else { "rollups" }
            loaded.path = refold.isEmpty ? base : base + "+tail"
        } catch let error as ProjectionError {
            throw QueryError(.storage, error.description)
        }
        return loaded
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
