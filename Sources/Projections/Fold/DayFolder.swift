import Journal

/// Folds the records of one site-day into a ``VisitTable`` and a ``DayRollup``.
///
/// The fold first groups the day's records by visitor (a counting sort, so each visitor's hits
/// are contiguous and in time order), splits each visitor's hits into visits at every silence of
/// more than ``sessionTimeout``, and then adds every hit to its cells (``CellCounter``).
public enum DayFolder {
    /// A visit ends after this much silence (30 minutes), in milliseconds.
    public static let sessionTimeout: Int64 = 30 * 60_000

    /// The visits of `slices` (the day's records, in journal order).
    public static func visits(slices: [DaySlice], clock: LocalClock) -> VisitTable {
        var state = FoldState(clock: clock)
        state.add(slices)
        return state.makeTable(keeping: false)
    }

    /// What a day file holds for `key`: the rollup as stored (every dimension per day, totals per
    /// hour) and the visit table it was counted from.
    public static func day(_ key: DayKey, slices: [DaySlice], clock: LocalClock, position: UInt64) -> DayFile {
        day(key, table: visits(slices: slices, clock: clock), position: position)
    }

    /// What a day file holds for `key` whose visits are `table`.
    static func day(_ key: DayKey, table: VisitTable, position: UInt64) -> DayFile {
        let rollup = CellCounter.count(
            table, into: DayRollup(site: key.site, day: key.day, position: position), filter: nil, scope: .stored)
        return DayFile(rollup: rollup, visits: table)
    }

    /// Folds `slices` into the rollup of `key`; with a `filter`, only matching hits are counted
    /// (visits are still cut from all hits); with `only`, only those dimensions' tables are counted
    /// (the totals always are); with `hourly`, the dimensions get cells per local hour too.
    public static func fold(
        _ key: DayKey, slices: [DaySlice], clock: LocalClock, position: UInt64, filter: HitFilter? = nil,
        only: Set<Dimension>? = nil, hourly: Bool = true
    ) -> DayRollup {
        count(
            visits(slices: slices, clock: clock), key: key, position: position, filter: filter, only: only,
            hourly: hourly)
    }

    /// Counts a visit table (folded from the journal or read from a day file) into a rollup; with
    /// `hourly`, dimensions and totals get cells per local hour, otherwise only per day; a large
    /// day on up to `lanes` threads.
    public static func count(
        _ table: VisitTable, key: DayKey, position: UInt64, filter: HitFilter?, only: Set<Dimension>?, hourly: Bool,
        lanes: Int = 1
    ) -> DayRollup {
        let compiled = filter.map { CompiledFilter($0, keys: table.keys) }
        return CellCounter.count(
            table, into: DayRollup(site: key.site, day: key.day, position: position), filter: compiled,
            scope: CellCounter.Scope(only: only, dimensionHours: hourly, totalHours: hourly), lanes: lanes)
    }

    /// The visit-table columns that counting with `filter`, `only` and `hourly` reads; without
    /// `engagement`, not the engagement reports (unless the filter needs them).
    public static func columns(filter: HitFilter?, only: Set<Dimension>?, hourly: Bool, engagement: Bool = true)
        -> VisitTable.Columns
    {
        var scope = CellCounter.Scope(only: only, dimensionHours: hourly, totalHours: hourly)
        scope.engagement = engagement
        return scope.columns.union(filter?.columns ?? [])
    }
}
