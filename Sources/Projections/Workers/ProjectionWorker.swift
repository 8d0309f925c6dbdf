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
    }

    /// Folds journal records from the current generation's position up to `until` (a writer's
    /// durable watermark) or the end of the journal. Makes a full rebuild first when there are no
    /// rollups yet or they are in another format.
    @discardableResult
    public func catchUp(until: UInt64? = nil) throws -> Report {
        guard let generation = try store.current(), let manifest = try generation.manifest(),
            manifest.formatVersion == RollupCodec.formatVersion
        else {
            logger.notice("no current rollups in this format; rebuilding them from the journal")
            let report = try Rebuilder(
                journal: journal, store: store, calendar: calendar, options: RebuildOptions(jobs: jobs), logger: logger
            ).run(until: until)
            return Report(from: 0, to: report.position, days: [], rebuilt: true)
        }
        let lock = try RebuildLock(root: store.root)
        defer { lock.release() }
        // A rebuild may have switched generations while we waited for the lock.
        guard try store.current() == generation else { return try catchUp(until: until) }
        let reader = JournalReader(directory: journal)
        // The new records by site-day, kept decoded while they are few enough.
        var fresh: [DayKey: [DaySlice]] = [:]
        var held = 0
        var holding = true
        var end = manifest.position
        do {
            var blocks = try reader.blocks(BlockSelection(from: manifest.position, until: until))
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
        guard end > manifest.position else {
            return Report(from: manifest.position, to: manifest.position, days: [], rebuilt: false)
        }
        // Taken now, put back only once everything is written: a failure below drops them all.
        var kept = openDays.take(generation: generation.name, position: manifest.position)
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
                state.add(try slices(of: key, until: end, reader: reader))
            }
            fresh[key] = nil  // the decoded blocks can go
            try generation.write(DayFolder.day(key, table: state.makeTable(), position: end))
            folded[key] = state
        }
        try generation.write(RollupManifest(position: end, horizon: manifest.horizon))
        // Days this catch-up did not touch are still exact at the new position.
        openDays.put(folded.merging(kept) { new, _ in new }, generation: generation.name, position: end)
        logger.debug(
            "rollups caught up",
            metadata: ["from": "\(manifest.position)", "to": "\(end)", "days": "\(days.count)"])
        return Report(from: manifest.position, to: end, days: days, added: added, rebuilt: false)
    }

    /// Folds site-days from the journal on demand, without writing anything: for queries whose
    /// filters need timestamps, and for the days not folded yet. Days run in parallel. With `only`,
    /// just those dimensions' tables are counted (plus the totals); with `hourly`, per local hour too.
    public func fold(
        _ keys: [DayKey], until: UInt64? = nil, filter: HitFilter? = nil, only: Set<Dimension>? = nil,
        hourly: Bool = true, jobs: Int? = nil
    ) throws -> [DayRollup] {
        let reader = JournalReader(directory: journal)
        return try parallelMap(keys, jobs: jobs) { key in
            let slices = try slices(of: key, until: until, reader: reader)
            let position = until ?? slices.last.map { $0.block.header.endSequence } ?? 0
            return DayFolder.fold(
                key, slices: slices, clock: calendar.clock(for: key.site), position: position, filter: filter,
                only: only, hourly: hourly)
        }
    }

    /// Runs `body` over `items` on up to `jobs` threads (default: the worker's), results in order.
    public func parallelMap<T, R: Sendable>(_ items: [T], jobs: Int? = nil, _ body: @Sendable (T) throws -> R) throws
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

    /// The journal records of one whole site-day below `until`, block by block.
    func slices(of key: DayKey, until: UInt64?, reader: JournalReader) throws -> [DaySlice] {
        var slices: [DaySlice] = []
        var partitioner = DayPartitioner(calendar: calendar, site: key.site, fromDay: key.day)
        do {
            var blocks = try reader.blocks(
                BlockSelection(until: until, time: LocalClock.looseRange(ofDay: key.day), site: key.site))
            while let block = try blocks.next() {
                for (found, slice) in partitioner.partition(block) where found == key { slices.append(slice) }
            }
        } catch let error as JournalError {
            throw Rebuilder.journalError(error)
        }
        return slices
    }
}
