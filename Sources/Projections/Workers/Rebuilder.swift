import Dispatch
import Foundation
import Journal
import Logging
import Synchronization

/// Recomputes rollups from the journal alone into a fresh generation, then makes it current.
///
/// One pass over the journal: blocks are read and split by site-day on all cores; a site-day is
/// folded (also in parallel) as soon as no later block can hold more of it, which the block
/// headers tell in advance (time range and site filter), so memory holds only the days still open.
public struct Rebuilder: Sendable {
    /// The journal folder.
    public let journal: JournalDirectory
    /// The rollup folder.
    public let store: RollupStore
    /// Where each site's days begin.
    public let calendar: SiteCalendar
    /// What to rebuild and how.
    public let options: RebuildOptions
    private let logger: Logger

    /// A rebuilder.
    public init(
        journal: JournalDirectory, store: RollupStore, calendar: SiteCalendar,
        options: RebuildOptions = RebuildOptions(),
        logger: Logger
    ) {
        self.journal = journal
        self.store = store
        self.calendar = calendar
        self.options = options
        self.logger = logger
    }

    /// Runs the rebuild up to journal position `until` (or the end of the journal), calling
    /// `progress` from the calling thread as work proceeds.
    public func run(until: UInt64? = nil, progress: (RebuildProgress) -> Void = { _ in }) throws -> RebuildReport {
        let lock = try RebuildLock(root: store.root, wait: options.wait)
        defer { lock.release() }
        let (previous, previousManifest, manifestLost) = startingPoint()
        // 1. Headers only: what is there, and the last block that can hold each site-day.
        var entries: [HeaderIterator.Entry] = []
        var headers: HeaderIterator
        do {
            headers = try JournalReader(directory: journal).headers(
                BlockSelection(until: until), skipDamaged: options.skipCorrupt)
            while let entry = try headers.next() { entries.append(entry) }
        } catch let error as JournalError {
            throw Self.journalError(error)
        }
        var damaged = headers.damaged
        let position = entries.last?.header.endSequence ?? until ?? 0
        let recordsTotal = entries.reduce(Int64(0)) { $0 + Int64($1.header.recordCount) }
        let lastBlock = plan(entries)
        // A lost manifest lost the horizon too: assume the journal was trimmed before its first
        // record, so that days it cannot recompute whole are kept, not dropped.
        let horizon = manifestLost ? entries.map(\.header.minTimestamp).min() : previousManifest?.horizon
        let generation = try store.createGeneration()
        // A rebuild that fails (a full disk, damage without --skip-corrupt) leaves nothing behind:
        // its unfinished generation could hold as much as the rollups themselves. (Run before the
        // lock's release, so under the lock.)
        var published = false
        defer { if !published { try? store.discard(generation) } }
        logger.debug(
            "rebuilding rollups",
            metadata: [
                "blocks": "\(entries.count)", "records": "\(recordsTotal)",
                "generation": "\(generation.name)",
            ])

        // 2. One pass: read and split blocks in windows, fold days as they complete.
        let folds = try FoldQueue(jobs: options.jobs, generation: generation)
        var open: [DayKey: [DaySlice]] = [:]
        var openOrder: [DayKey] = []
        var written = Set<DayKey>()
        var state = RebuildProgress(
            blocksDone: 0, blocksTotal: entries.count, recordsDone: 0, recordsTotal: recordsTotal, daysWritten: 0)
        // Windows of about 32 full blocks' records: a live server's small blocks would otherwise
        // make windows of a few hundred records, each paying for its threads and its chains.
        let windowRecords = max(options.jobs * 8, 32) * CommitPolicy().maxRecords
        var start = 0
        func submit(_ key: DayKey) {
            let slices = open.removeValue(forKey: key) ?? []
            guard shouldWrite(key, horizon: horizon) else { return }
            written.insert(key)
            folds.submit(key, slices: slices, clock: calendar.clock(for: key.site), position: position)
        }
        do {
            while start < entries.count {
                var end = start
                var records = 0
                while end < entries.count, end == start || records < windowRecords {
                    records += Int(entries[end].header.recordCount)
                    end += 1
                }
                let (results, lost) = try readWindow(entries[start..<end])
                damaged += lost
                for (offset, pieces) in results.enumerated() {
                    for (key, slice) in pieces {
                        if open[key] == nil { openOrder.append(key) }
                        open[key, default: []].append(slice)
                    }
                    state.recordsDone += Int64(entries[start + offset].header.recordCount)
                }
                state.blocksDone = end
                // Days no later block can touch are complete.
                var stillOpen: [DayKey] = []
                for key in openOrder {
                    if let last = lastBlock[key], last < end { submit(key) } else { stillOpen.append(key) }
                }
                openOrder = stillOpen
                try folds.check()
                state.daysWritten = folds.finished
                progress(state)
                start = end
            }
            for key in openOrder { submit(key) }
            try folds.finish()
        } catch {
            try? folds.finish()  // let the fold threads end before the error leaves
            throw error
        }
        state.daysWritten = folds.finished
        progress(state)

        // 3. Keep what this rebuild did not recompute, then switch generations.
        var kept = 0
        if let previous {
            for key in try previous.keys() where !written.contains(key) && shouldKeep(key, horizon: horizon) {
                try generation.adopt(key, from: previous)
                kept += 1
            }
        }
        try generation.syncAll()
        try generation.write(RollupManifest(position: position, horizon: horizon, damaged: damaged))
        try store.publish(generation)
        published = true
        return RebuildReport(
            generation: generation, position: position, blocks: entries.count, records: recordsTotal,
            daysWritten: written.count, daysKept: kept, damaged: damaged)
    }

    /// The generation this rebuild keeps what it cannot recompute from, and its manifest. Damaged
    /// rollups are what a rebuild is for (every error about them says to run one), so they do not
    /// stop it: a `CURRENT` that is unreadable or names no generation gives way to the newest
    /// generation with a readable manifest, and an unreadable manifest is reported as lost.
    func startingPoint() -> (RollupGeneration?, RollupManifest?, manifestLost: Bool) {
        let previous: RollupGeneration?
        do {
            previous = try store.current()
        } catch {
            previous = store.newestWithManifest()
            logger.warning(
                "the rollups' CURRENT pointer is damaged; rebuilding from the journal",
                metadata: ["error": "\(error)", "keeping_days_from": "\(previous?.name ?? "none")"])
        }
        do {
            return (previous, try previous?.manifest(), false)
        } catch {
            logger.warning(
                "the current rollups' manifest is damaged; rebuilding from the journal", metadata: ["error": "\(error)"]
            )
            return (previous, nil, true)
        }
    }

    /// For each site-day, the index of the last block that may hold records of it (from block
    /// headers: time range and site filter). Days of sites not in the calendar stay open to the end.
    func plan(_ entries: [HeaderIterator.Entry]) -> [DayKey: Int] {
        var last: [DayKey: Int] = [:]
        var clocks = calendar.zones.keys.sorted().map { ($0, calendar.clock(for: $0)) }
        for (index, entry) in entries.enumerated() {
            for slot in clocks.indices where entry.header.sites.mayContain(clocks[slot].0) {
                let first = clocks[slot].1.day(of: entry.header.minTimestamp)
                let final = clocks[slot].1.day(of: entry.header.maxTimestamp)
                guard first <= final, final - first < 10_000 else { continue }
                for day in first...final { last[DayKey(site: clocks[slot].0, day: day)] = index }
            }
        }
        return last
    }

    /// Whether this rebuild writes `key` (it is in scope and the journal holds all of that day).
    func shouldWrite(_ key: DayKey, horizon: Int64?) -> Bool {
        if let site = options.site, key.site != site { return false }
        if let from = options.fromDay, key.day < from { return false }
        if isExpired(key) { return false }
        if let horizon {
            var clock = calendar.clock(for: key.site)
            if key.day <= clock.day(of: horizon - 1) { return false }  // partly deleted from the journal
        }
        return true
    }

    /// Whether a day this rebuild did not write is carried over from the previous generation.
    func shouldKeep(_ key: DayKey, horizon: Int64?) -> Bool {
        if isExpired(key) { return false }
        if let site = options.site, key.site != site { return true }
        if let from = options.fromDay, key.day < from { return true }
        if let horizon {
            var clock = calendar.clock(for: key.site)
            if key.day <= clock.day(of: horizon - 1) { return true }
        }
        return false  // in scope but without records now: the day is gone
    }

    /// Whether the rollup retention has expired `key`.
    func isExpired(_ key: DayKey) -> Bool {
        guard let days = options.rollupDays else { return false }
        return key.day < Retention.firstKeptDay(days: days, now: options.now, clock: calendar.clock(for: key.site))
    }

    /// Reads and splits a window of blocks on all cores; results in block order.
    private func readWindow(_ window: ArraySlice<HeaderIterator.Entry>) throws
        -> ([[(DayKey, DaySlice)]], [DamagedRange])
    {
        let entries = Array(window)
        let results = Mutex([[(DayKey, DaySlice)]](repeating: [], count: entries.count))
        let failures = Mutex<[Int: Error]>([:])
        let jobs = min(options.jobs, entries.count)
        let calendar = self.calendar
        let site = options.site
        let fromDay = options.fromDay
        // Each thread reads a contiguous share, starting where a chain of linked blocks starts when
        // one does nearby: a linked block needs the blocks before it in its chain, so interleaved
        // shares would make every thread decompress the others' blocks too.
        var bounds = [0]
        for job in 1..<max(jobs, 1) {
            let nominal = entries.count * job / jobs
            let limit = entries.count * (job + 1) / jobs
            let chainStart = entries[nominal..<limit].firstIndex { $0.header.codec == .independent }
            bounds.append(max(chainStart ?? nominal, bounds[bounds.count - 1]))
        }
        bounds.append(entries.count)
        let shares = bounds
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            var loader = BlockLoader()
            var partitioner = DayPartitioner(calendar: calendar, site: site, fromDay: fromDay)
            for index in shares[job]..<shares[job + 1] {
                do {
                    let block = try loader.load(entries[index])
                    let pieces = partitioner.partition(block)
                    results.withLock { $0[index] = pieces }
                } catch {
                    failures.withLock { $0[index] = error }
                }
            }
        }
        var lost: [DamagedRange] = []
        for (index, error) in failures.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            guard options.skipCorrupt, let journalError = error as? JournalError, journalError.code == .corrupt else {
                if let journalError = error as? JournalError { throw Self.journalError(journalError) }
                throw error
            }
            lost.append(DamagedRange(entries[index], reason: journalError.message))
        }
        return (results.withLock { $0 }, lost)
    }

    static func journalError(_ error: JournalError) -> ProjectionError {
        ProjectionError(
            .journal, error.message, file: error.file, offset: error.offset,
            hint: error.hint.map { $0.contains("--skip-corrupt") ? $0 : $0 + "; or rebuild with --skip-corrupt" }
                ?? "Rebuild with --skip-corrupt to step over damaged data")
    }
}

/// Folds and writes site-days on `jobs` threads of its own.
///
/// `submit` blocks while `jobs` folds are waiting, which bounds the memory of finished-but-not-yet
/// folded days; failures are kept and raised by ``check()``. (Dedicated threads rather than
/// Dispatch's pool, which on Linux ran these blocking jobs one at a time next to
/// `concurrentPerform`.)
final class FoldQueue: Sendable {
    private struct Job: Sendable {
        let key: DayKey
        let slices: [DaySlice]
        let clock: LocalClock
        let position: UInt64
    }

    private let slots: DispatchSemaphore
    private let available = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let jobs: Int
    private let generation: RollupGeneration
    private let state = Mutex<(queue: [Job?], finished: Int, failure: ProjectionError?)>(([], 0, nil))
    private let stopped = Mutex(false)

    init(jobs: Int, generation: RollupGeneration) throws(ProjectionError) {
        self.jobs = jobs
        slots = DispatchSemaphore(value: jobs)
        self.generation = generation
        for started in 0..<jobs {
            do {
                try OSThread.start(named: "infinity-fold") { [self] in work() }
            } catch {
                // The threads already started end once they take the stop marks.
                state.withLock { $0.queue += [Job?](repeating: nil, count: started) }
                for _ in 0..<started { available.signal() }
                throw ProjectionError(.io, error.message, hint: error.hint)
            }
        }
    }

    var finished: Int { state.withLock { $0.finished } }

    func submit(_ key: DayKey, slices: [DaySlice], clock: LocalClock, position: UInt64) {
        slots.wait()
        state.withLock { $0.queue.append(Job(key: key, slices: slices, clock: clock, position: position)) }
        available.signal()
    }

    private func work() {
        while true {
            available.wait()
            guard let job = state.withLock({ $0.queue.removeFirst() }) else { break }
            let day = DayFolder.day(job.key, slices: job.slices, clock: job.clock, position: job.position)
            do {
                try generation.write(day, sync: false)
                state.withLock { $0.finished += 1 }
            } catch let error as ProjectionError {
                state.withLock { $0.failure = $0.failure ?? error }
            } catch {
                state.withLock { $0.failure = $0.failure ?? ProjectionError(.io, "\(error)") }
            }
            slots.signal()
        }
        done.signal()
    }

    func check() throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// Waits for every submitted fold, stops the threads, and raises the first failure.
    func finish() throws {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first {
            state.withLock { $0.queue += [Job?](repeating: nil, count: jobs) }
            for _ in 0..<jobs { available.signal() }
            for _ in 0..<jobs { done.wait() }
        }
        try check()
    }
}
