import Foundation

/// The live worker's folds of the most recent days, kept between catch-ups so that each one adds
/// only the records that became durable since, instead of reading and folding those days whole
/// again (about 36 bytes a hit are kept, not the day's decoded blocks).
///
/// The folds are valid for one rollup generation at one journal position; a catch-up takes them
/// all (``take(generation:position:)``) and puts back what it folded once its files and manifest
/// are written. A catch-up that fails, a rebuild that switches generations, or another process
/// that moved the position leaves nothing valid to take, and the days are folded from the journal.
///
/// `@unchecked Sendable`: `store` is read and written only while `lock` is held, and a fold that
/// was taken belongs to the one catch-up that took it until it is put back.
final class OpenDays: @unchecked Sendable {
    private struct Store {
        var generation = ""
        var position: UInt64 = 0
        var days: [DayKey: FoldState] = [:]
    }

    private let lock = NSLock()
    private var store = Store()
    /// The most recent days of each site that are kept.
    let daysPerSite: Int

    init(daysPerSite: Int = 2) { self.daysPerSite = daysPerSite }

    /// Takes every fold kept for `generation` at `position` (none if they are for another).
    func take(generation: String, position: UInt64) -> [DayKey: FoldState] {
        lock.lock()
        defer { lock.unlock() }
        let current = store
        store = Store()
        guard current.generation == generation, current.position == position else { return [:] }
        return current.days
    }

    /// Keeps `days` (each site's most recent ones) as the folds of `generation` at `position`.
    func put(_ days: [DayKey: FoldState], generation: String, position: UInt64) {
        var kept: [DayKey: FoldState] = [:]
        for (_, keys) in Dictionary(grouping: days.keys, by: \.site) {
            for key in keys.sorted(by: { $0.day > $1.day }).prefix(daysPerSite) { kept[key] = days[key] }
        }
        lock.lock()
        defer { lock.unlock() }
        store = Store(generation: generation, position: position, days: kept)
    }
}
