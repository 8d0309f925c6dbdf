import Dispatch
import Foundation
import Journal
import Logging
import Synchronization

/// Keeps the current rollup generation up to date with the journal: each ``catchUp(until:)``
/// folds whatever became durable since the generation's position.
///
/// Every site-day that new records touch is refolded and rewritten atomically; only then does the
/// manifest move forward. A crash at any moment therefore leaves the old position in the manifest,
/// and the next catch-up redoes the same days from the same records: nothing is counted twice and
/// nothing is lost. The folds of each site's two most recent days are kept in memory
/// (``OpenDays``), so a catch-up adds only the new records to them; other days, and every day after
/// a restart, are folded whole from the journal (block headers skip everything else).
public struct ProjectionWorker: Sendable {
    /// The journal folder.
    public let journal: JournalDirectory
    /// The rollup folder.
    public let store: RollupStore
    /// Where each site's days begin.
    public let calendar: SiteCalendar
    /// Parallel jobs for a first full rebuild.
    public let jobs: Int
    private let logger: Logger
    /// The folds of the latest days, kept between catch-ups.
    let openDays = OpenDays()
    /// New records a catch-up keeps decoded to add to kept folds; past this (a long backlog), it
    /// folds the days it touches whole from the journal instead, so memory stays bounded.
    static let maxHeldRecords = 1 << 21

    /// A worker.
    public init(
        journal: JournalDirectory, store: RollupStore, calendar: SiteCalendar, jobs: Int = RebuildOptions.defaultJobs,
        logger: Logger
    ) {
        self.journal = journal
        self.store = store
        self.calendar = calendar
        self.jobs = jobs
        self.logger = logger
    }

    /// What one catch-up did.
    public struct Report: Sendable {
        /// The generation's position before.
        public var from: UInt64
        /// Its position after.
        public var to: UInt64
        /// Site-days refolded.
        public var days: [DayKey]
        /// Those of ``days`` whose kept fold took only the new records (the others were folded
        /// whole from the journal).
        public var added: [DayKey] = []
        /// Whether a full rebuild was needed (no rollups yet, or another format version).
        public var rebuilt: Bool
        /// Whether another process held the rollup lock, so nothing was done this time.
        public var busy = false
        /// Damaged or missing journal records this catch-up met for the first time.
        public var damaged: [DamagedRange] = []
        /// Every range the rollups now leave out (their manifest's list); nil when nothing was done.
        public var quarantined: [DamagedRange]?
    }

    /// Folds journal records from the current generation's position up to `until` (a writer's
    /// durable watermark) or the end of the journal. Makes a full rebuild first when there are no
    /// rollups yet or they are in another format.
    ///
    /// With `wait` false (the live worker), a catch-up that finds another process holding the
    /// rollup lock (a rebuild, retention) does nothing and says so in ``Report/busy``; the next one
    /// picks up from the generation that process left.
    @discardableResult
    public func catchUp(until: UInt64? = nil, wait: Bool = true) throws -> Report {
        while true {
            let current = try store.current()
            let manifest = try current?.manifest()
            let ahead = try manifest.map { try isAhead($0, until: until) } ?? false
            guard let generation = current, let manifest, manifest.formatVersion == RollupCodec.formatVersion,
                !ahead
            else {
                if ahead {
                    // Rollups restored or copied from elsewhere, beside an older journal: records
                    // appended from here on would count as folded and never be counted.
                    logger.warning(
                        "the rollups cover journal records this journal does not hold; recounting them from the journal",
                        metadata: ["rollups_position": "\(manifest?.position ?? 0)"])
                } else {
                    logger.notice("no current rollups in this format; rebuilding them from the journal")
                }
                let report: RebuildReport
                do {
                    report = try Rebuilder(
                        journal: journal, store: store, calendar: calendar,
                        options: RebuildOptions(jobs: jobs, skipCorrupt: true, wait: wait), logger: logger
                    ).run(until: until)
                } catch let error as ProjectionError where error.code == .locked && !wait {
                    return Report(from: 0, to: 0, days: [], rebuilt: false, busy: true)
                }
                return Report(
                    from: 0, to: report.position, days: [], rebuilt: true, damaged: report.damaged,
                    quarantined: report.damaged)
            }
            let lock: RebuildLock
            do {
                lock = try RebuildLock(root: store.root, wait: wait)
            } catch let error as ProjectionError where error.code == .locked && !wait {
                return Report(from: manifest.position, to: manifest.position, days: [], rebuilt: false, busy: true)
            }
            defer { lock.release() }
            // A rebuild may have switched generations, or retention moved the manifest, while we
            // waited for the lock: start again from what is current now (the lock is released
            // first, so this never waits on itself).
            guard try store.current() == generation, try generation.manifest() == manifest else { continue }
            return try catchUp(generation: generation, manifest: manifest, until: until)
        }
    }

    /// Whether rollups with `manifest` claim records past the journal's end. A position past the
    /// writer's `until` alone is not enough (a rebuild beside `serve` may have read a block written
    /// a moment before it became durable): the end of the journal on disk decides.
    private func isAhead(_ manifest: RollupManifest, until: UInt64?) throws -> Bool {
        if let until, manifest.position <= until { return false }
        do {
            return manifest.position > (try JournalReader(directory: journal).endSequence())
        } catch let error as JournalError where error.code == .notFound {
            return false  // no journal folder: nothing to recount from (reading it will say so)
        }
    }

    /// The body of ``catchUp(until:wait:)``, with the rollup lock held.
    private func catchUp(generation: RollupGeneration, manifest: RollupManifest, until: UInt64?) throws -> Report {
        let reader = JournalReader(directory: journal)
        // Folds kept from before the erasures changed may hold erased records: folded again.
        let keptKey = generation.name + "#" + String(calendar.erasureVersion)
        // The new records by site-day, kept decoded while they are few enough.
        var fresh: [DayKey: [DaySlice]] = [:]
        var held = 0
        var holding = true
        var end = manifest.position
        var damaged: [DamagedRange] = []
        do {
            var blocks = try reader.blocks(BlockSelection(from: manifest.position, until: until), skipDamaged: true)
            defer { damaged = blocks.damaged }
            var partitioner = DayPartitioner(calendar: calendar)
            while let block = try blocks.next() {
                for (key, slice) in partitioner.partition(block) {
                    if holding { fresh[key, default: []].append(slice) } else { fresh[key] = fresh[key] ?? [] }
                }
                held += block.count
                if holding && held > Self.maxHeldRecords {
                    holding = false
                    fresh = fresh.mapValues { _ in [] }
                }
                end = block.header.endSequence
            }
        } catch let error as JournalError {
            throw Rebuilder.journalError(error)
        }
        // Damage inside the new stretch is stepped over (the live worker must not stop for it),
        // and the position moves past it so it is not read again each time.
        if let last = damaged.last, last.endSequence > end, until.map({ last.endSequence <= $0 }) ?? true {
            end = last.endSequence
        }
        guard end > manifest.position else {
            return Report(
                from: manifest.position, to: manifest.position, days: [], rebuilt: false,
                quarantined: manifest.damaged)
        }
        // Taken now, put back only once everything is written: a failure below drops them all.
        var kept = openDays.take(generation: keptKey, position: manifest.position)
        if !holding { kept = [:] }
        var folded: [DayKey: FoldState] = [:]
        var added: [DayKey] = []
        var clocks: [String: LocalClock] = [:]
        let days = fresh.keys.sorted()
        for key in days {
            var clock = clocks[key.site] ?? calendar.clock(for: key.site)
            if let horizon = manifest.horizon, key.day <= clock.day(of: horizon - 1) {
                logger.warning(
                    "new records for a day whose older records were deleted by retention; not refolded",
                    metadata: ["day": "\(key)"])
                kept[key] = nil  // it would miss these records
                continue
            }
            clocks[key.site] = clock
            var state: FoldState
            if var day = kept.removeValue(forKey: key) {
                day.add(fresh[key] ?? [])
                state = day
                added.append(key)
            } else {
                state = FoldState(clock: clock)
                let whole = try slices(of: key, until: end, reader: reader)
                state.add(whole.slices)
                damaged += whole.damaged
            }
            fresh[key] = nil  // the decoded blocks can go
            try generation.write(DayFolder.day(key, table: state.makeTable(), position: end))
            folded[key] = state
        }
        let quarantined = manifest.adding(damaged: damaged)
        for range in quarantined where !manifest.damaged.contains(where: { $0.firstSequence == range.firstSequence }) {
            logger.error(
                "journal records are unreadable and left out of the rollups",
                metadata: ["damage": "\(range)", "file": "\(range.file)"])
        }
        try generation.write(
            RollupManifest(position: end, horizon: manifest.horizon, damaged: quarantined))
        // Days this catch-up did not touch are still exact at the new position.
        openDays.put(folded.merging(kept) { new, _ in new }, generation: keptKey, position: end)
        logger.debug(
            "rollups caught up",
            metadata: ["from": "\(manifest.position)", "to": "\(end)", "days": "\(days.count)"])
        return Report(
            from: manifest.position, to: end, days: days, added: added, rebuilt: false,
            damaged: quarantined.filter { range in !manifest.damaged.contains(range) }, quarantined: quarantined)
    }

    /// Site-days folded on demand, and the journal damage stepped over while reading them.
    public struct Folded: Sendable {
        /// One rollup per site-day asked for, in order.
        public var rollups: [DayRollup]
        /// Records that could not be read and are missing from ``rollups``.
        public var damaged: [DamagedRange]
    }

    /// Folds site-days from the journal on demand, without writing anything: for queries whose
    /// filters need timestamps, and for the days not folded yet. Days run in parallel. With `only`,
    /// just those dimensions' tables are counted (plus the totals); with `hourly`, per local hour too.
    /// Damaged journal data is stepped over and reported in ``Folded/damaged``.
    public func fold(
        _ keys: [DayKey], until: UInt64? = nil, filter: HitFilter? = nil, only: Set<Dimension>? = nil,
        hourly: Bool = true, jobs: Int? = nil
    ) throws -> Folded {
        let reader = JournalReader(directory: journal)
        @Sendable func fold(_ key: DayKey, _ slices: [DaySlice]) -> DayRollup {
            let position = until ?? slices.last.map { $0.block.header.endSequence } ?? 0
            return DayFolder.fold(
                key, slices: slices, clock: calendar.clock(for: key.site), position: position, filter: filter,
                only: only, hourly: hourly)
        }
        var results: [(DayRollup, [DamagedRange])] = []
        if keys.count <= Self.daysReadOneByOne {
            // A few days: each read on its own, all in parallel.
            results = try parallelMap(keys, jobs: jobs) { key in
                let whole = try slices(of: key, until: until, reader: reader)
                return (fold(key, whole.slices), whole.damaged)
            }
        } else {
            // Many days (a long range before rollups exist): one pass over the journal per window of
            // consecutive days, instead of a walk of every block header per day.
            var folded: [DayKey: (DayRollup, [DamagedRange])] = [:]
            for window in Self.windows(of: keys) {
                let read = try slices(of: window, until: until, reader: reader)
                let rollups = try parallelMap(window, jobs: jobs) { key in fold(key, read.slices[key] ?? []) }
                for (key, rollup) in zip(window, rollups) { folded[key] = (rollup, read.damaged) }
            }
            results = keys.map { folded[$0]! }
        }
        var damaged: [DamagedRange] = []
        var seen = Set<UInt64>()
        for range in results.flatMap(\.1) where seen.insert(range.firstSequence).inserted { damaged.append(range) }
        return Folded(rollups: results.map(\.0), damaged: damaged.sorted { $0.firstSequence < $1.firstSequence })
    }

    /// Up to this many days, ``fold(_:until:filter:only:hourly:jobs:)`` reads each day on its own.
    static let daysReadOneByOne = 62

    /// `keys` in windows of one site and at most 31 consecutive days each.
    static func windows(of keys: [DayKey]) -> [[DayKey]] {
        var windows: [[DayKey]] = []
        for (_, siteKeys) in Dictionary(grouping: Set(keys), by: \.site).sorted(by: { $0.key < $1.key }) {
            var current: [DayKey] = []
            for key in siteKeys.sorted(by: { $0.day < $1.day }) {
                if let first = current.first, key.day - first.day >= 31 {
                    windows.append(current)
                    current = []
                }
                current.append(key)
            }
            if !current.isEmpty { windows.append(current) }
        }
        return windows
    }

    /// The journal records of the site-days of `window` (one site, consecutive days) in one pass.
    func slices(of window: [DayKey], until: UInt64?, reader: JournalReader) throws
        -> (slices: [DayKey: [DaySlice]], damaged: [DamagedRange])
    {
        guard let first = window.first, let last = window.last else { return ([:], []) }
        let wanted = Set(window)
        var slices: [DayKey: [DaySlice]] = [:]
        var partitioner = DayPartitioner(calendar: calendar, site: first.site, fromDay: first.day)
        let time =
            LocalClock.looseRange(ofDay: first.day).lowerBound..<LocalClock.looseRange(ofDay: last.day).upperBound
        do {
            var blocks = try reader.blocks(
                BlockSelection(until: until, time: time, site: first.site), skipDamaged: true)
            while let block = try blocks.next() {
                for (found, slice) in partitioner.partition(block) where wanted.contains(found) {
                    slices[found, default: []].append(slice)
                }
            }
            return (slices, blocks.damaged.filter { $0.mayConcern(time) })
        } catch let error as JournalError {
            throw Rebuilder.journalError(error)
        }
    }

    /// Runs `body` over `items` on up to `jobs` threads (default: the worker's), results in order.
    func parallelMap<T, R: Sendable>(_ items: [T], jobs: Int? = nil, _ body: @Sendable (T) throws -> R) throws
        -> [R]
    where T: Sendable {
        let results = Mutex<[R?]>([R?](repeating: nil, count: items.count))
        let failure = Mutex<Error?>(nil)
        let lanes = max(1, min(jobs ?? self.jobs, items.count))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for index in stride(from: lane, to: items.count, by: lanes) {
                guard failure.withLock({ $0 == nil }) else { return }
                do {
                    let result = try body(items[index])
                    results.withLock { $0[index] = result }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0 }.map { $0! }
    }

    /// The journal records of one whole site-day below `until`, block by block, and the damage
    /// stepped over on the way.
    func slices(of key: DayKey, until: UInt64?, reader: JournalReader) throws
        -> (slices: [DaySlice], damaged: [DamagedRange])
    {
        var slices: [DaySlice] = []
        var partitioner = DayPartitioner(calendar: calendar, site: key.site, fromDay: key.day)
        let window = LocalClock.looseRange(ofDay: key.day)
        do {
            var blocks = try reader.blocks(
                BlockSelection(until: until, time: window, site: key.site), skipDamaged: true)
            while let block = try blocks.next() {
                for (found, slice) in partitioner.partition(block) where found == key { slices.append(slice) }
            }
            return (slices, blocks.damaged.filter { $0.mayConcern(window) })
        } catch let error as JournalError {
            throw Rebuilder.journalError(error)
        }
    }
}
