import Journal

/// What the query side reads from the journal directly, so that it needs no journal internals:
/// the days records not yet folded touch, a site's first day, and the visitors of a recent window.
extension ProjectionWorker {
    /// The site-local days of `site` that journal records from `position` on touch, the
    /// journal's end, and the damage stepped over.
    public func unfoldedDays(site: String, after position: UInt64) throws
        -> (days: Set<Int64>, end: UInt64, damaged: [DamagedRange])
    {
        var days = Set<Int64>()
        var end = position
        do {
            var blocks = try JournalReader(directory: journal).blocks(
                BlockSelection(from: position, site: site), skipDamaged: true)
            var partitioner = DayPartitioner(calendar: calendar, site: site)
            while let block = try blocks.next() {
                for (key, _) in partitioner.partition(block) { days.insert(key.day) }
                end = max(end, block.header.endSequence)
            }
            return (days, end, blocks.damaged)
        } catch let error as JournalError {
            throw Rebuilder.journalError(error)
        }
    }

    /// The rollups of `keys` counted from their stored visit tables with `filter` (a filter the
    /// stored cells cannot answer), on all of the worker's cores (fewer days than cores: a day's
    /// visitors split between them); a day with no table counts as empty. Without `engagement`,
    /// engagement reports are not read (their numbers stay 0).
    public func count(
        _ keys: [DayKey], in generation: RollupGeneration, filter: HitFilter?, only dimensions: Set<Dimension>?,
        hourly: Bool, engagement: Bool = true, position: UInt64, cache: SectionCache?
    ) throws -> [DayRollup] {
        let columns = DayFolder.columns(filter: filter, only: dimensions, hourly: hourly, engagement: engagement)
        let lanes = max(1, jobs / max(1, keys.count))
        return try parallelMap(keys) { key in
            guard let reader = try generation.reader(for: key, cache: cache) else {
                return DayRollup(site: key.site, day: key.day, position: position)
            }
            return DayFolder.count(
                try reader.visits(columns), key: key, position: position, filter: filter, only: dimensions,
                hourly: hourly, lanes: lanes)
        }
    }

    /// The site-local days `site` has hits on: those with stored rollups and those the journal's
    /// records not yet folded touch (what an import of aggregates leaves out).
    public func daysWithHits(site: String) throws -> Set<Int64> {
        let generation = try store.current()
        var days = Set(try generation?.days(of: site) ?? [])
        let position = try generation?.manifest()?.position ?? 0
        days.formUnion(try unfoldedDays(site: site, after: position).days)
        return days
    }

    /// The site-local day of the first journal record that may be of `site` (from block headers
    /// only), or nil when the journal has none.
    public func firstJournalDay(site: String) -> Int64? {
        guard
            var headers = try? JournalReader(directory: journal).headers(BlockSelection(site: site), skipDamaged: true),
            let entry = try? headers.next()
        else { return nil }
        var clock = calendar.clock(for: site)
        return clock.day(of: entry.header.minTimestamp)
    }

    /// How many distinct visitors of `site` have a hit in `window` (ms UTC).
    public func visitors(site: String, in window: Range<Int64>) throws -> Int {
        var visitors = Set<UInt64>()
        let erased = calendar.erasures[site] ?? 0
        do {
            var blocks = try JournalReader(directory: journal).blocks(
                BlockSelection(time: window, site: site), skipDamaged: true)
            while let block = try blocks.next() {
                let sites = block.column(.site)
                guard let siteIndex = sites.dictionary.firstIndex(of: site) else { continue }
                for index in 0..<block.count
                where sites.indices[index] == UInt32(siteIndex) && window.contains(block.timestamps[index])
                    && block.sequence(at: index) >= erased
                {
                    visitors.insert(block.visitorIDs[index])
                }
            }
        } catch let error as JournalError {
            throw Rebuilder.journalError(error)
        }
        return visitors.count
    }
}
