import Journal
import Projections

/// Where a query's day rollups come from: stored rollups, with the days that journal records not
/// yet folded touch refolded on demand, or everything folded on demand with a filter.
struct DaySource {
    let worker: ProjectionWorker

    /// Day rollups of `site` for `days` (missing days have no hits).
    struct Loaded {
        var days: [Int64: DayRollup] = [:]
        var fromRollups = 0
        var folded = 0
        var position: UInt64 = 0
        var path = "rollups"
    }

    /// Loads the days; from stored rollups only the tables of `dimensions` are read.
    func load(site: String, days: [ClosedRange<Int64>], plan: QueryPlan, dimensions: Set<Dimension>) throws -> Loaded {
        let wanted = Set(days.flatMap { Array($0) })
        var loaded = Loaded()
        do {
            switch plan {
            case .journal(let filter):
                let keys = wanted.sorted().map { DayKey(site: site, day: $0) }
                for rollup in try worker.fold(keys, filter: filter, only: dimensions) {
                    loaded.days[rollup.day] = rollup
                }
                loaded.folded = keys.count
                loaded.position = loaded.days.values.map(\.position).max() ?? 0
                loaded.path = "journal"
            case .rollups:
                guard let generation = try worker.store.current(), let manifest = try generation.manifest(),
                    manifest.formatVersion == RollupCodec.formatVersion
                else {
                    // No rollups (yet): fold everything from the journal.
                    let keys = wanted.sorted().map { DayKey(site: site, day: $0) }
                    for rollup in try worker.fold(keys, only: dimensions) { loaded.days[rollup.day] = rollup }
                    loaded.folded = keys.count
                    loaded.position = loaded.days.values.map(\.position).max() ?? 0
                    loaded.path = "journal"
                    return loaded
                }
                let (tailDays, end) = try unfoldedDays(site: site, after: manifest.position)
                let refold = wanted.intersection(tailDays).sorted().map { DayKey(site: site, day: $0) }
                for rollup in try worker.fold(refold, only: dimensions) { loaded.days[rollup.day] = rollup }
                loaded.folded = refold.count
                let stored = Set(try generation.days(of: site)).intersection(wanted).subtracting(tailDays)
                for day in stored {
                    if let rollup = try generation.read(DayKey(site: site, day: day), only: dimensions) {
                        loaded.days[day] = rollup
                    }
                }
                loaded.fromRollups = stored.count
                loaded.position = max(manifest.position, end)
                loaded.path = refold.isEmpty ? "rollups" : "rollups+tail"
            }
        } catch let error as ProjectionError {
            throw QueryError(.storage, error.description)
        }
        return loaded
    }

    /// The days of `site` that journal records after `position` touch, and the journal's end.
    private func unfoldedDays(site: String, after position: UInt64) throws -> (Set<Int64>, UInt64) {
        var days = Set<Int64>()
        var end = position
        do {
            var blocks = try JournalReader(directory: worker.journal).blocks(BlockSelection(from: position, site: site))
            var partitioner = DayPartitioner(calendar: worker.calendar, site: site)
            while let block = try blocks.next() {
                for (key, _) in partitioner.partition(block) { days.insert(key.day) }
                end = max(end, block.header.endSequence)
            }
        } catch let error as JournalError {
            throw QueryError(.storage, error.description)
        }
        return (days, end)
    }

    /// The first day of `site` with a stored rollup, if any.
    func firstDay(site: String) -> Int64? {
        (try? worker.store.current()?.days(of: site).first) ?? nil
    }
}
