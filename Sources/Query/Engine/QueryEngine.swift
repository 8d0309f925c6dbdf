import Foundation
import Journal
import Projections

/// Answers ``QueryRequest``s: from the embedded projections (rollups, visit tables, the journal
/// when filters need raw hits; always current to the last durable hit), or from another
/// ``DayCounter`` such as ClickHouse.
public struct QueryEngine: Sendable {
    /// The worker whose calendar decides each site's days (and, for the embedded engine, whose
    /// journal and rollups are read; it never writes).
    public let worker: ProjectionWorker

    /// Sections of day files already read, shared by every query of this engine (nil: none kept).
    public let cache: SectionCache?

    /// Seconds one query may spend (regular expressions here, the whole query in an outside engine;
    /// see ``QueryBudget``).
    public let timeBudget: Double

    /// What counts the days.
    public let counter: any DayCounter

    /// Each site's goals and funnels (none when nil).
    public let definitions: (any SiteDefinitions)?

    /// An engine over `worker`'s data. A long-lived engine (the server) passes a ``SectionCache``
    /// so that repeated questions over the same days skip reading, checking and decompressing.
    /// With `imported`, imported daily aggregates are added where they can answer (see
    /// ``ImportedDayCounter``).
    public init(
        worker: ProjectionWorker, cache: SectionCache? = nil, definitions: (any SiteDefinitions)? = nil,
        imported: ImportedStore? = nil, timeBudget: Double = 2
    ) {
        self.worker = worker
        self.cache = cache
        self.definitions = definitions
        self.timeBudget = timeBudget
        self.counter = Self.adding(imported, to: LocalDayCounter(worker: worker, cache: cache))
    }

    /// An engine whose days `counter` counts; `worker`'s calendar still decides the sites and
    /// their zones.
    public init(
        worker: ProjectionWorker, counter: any DayCounter, definitions: (any SiteDefinitions)? = nil,
        imported: ImportedStore? = nil, timeBudget: Double = 30
    ) {
        self.worker = worker
        self.cache = nil
        self.definitions = definitions
        self.timeBudget = timeBudget
        self.counter = Self.adding(imported, to: counter)
    }

    private static func adding(_ imported: ImportedStore?, to counter: any DayCounter) -> any DayCounter {
        imported.map { ImportedDayCounter(base: counter, store: $0) } ?? counter
    }

    /// Answers `request` as of `now` (ms UTC), which decides "today" in the site's zone.
    public func run(_ request: QueryRequest, now: Int64 = QueryEngine.now()) throws -> QueryResult {
        let started = ContinuousClock.now
        try request.validate()
        guard worker.calendar.zones[request.site] != nil else {
            let known = worker.calendar.zones.keys.sorted().joined(separator: ", ")
            throw QueryError(
                .unknownSite,
                "'\(request.site)' is not a registered site (registered: \(known.isEmpty ? "none" : known))",
                field: "site_id")
        }
        var clock = worker.calendar.clock(for: request.site)
        let today = clock.day(of: now)
        // Only "all" needs the first day with data (a round trip for an outside engine).
        let firstDay = request.dateRange == .all ? try counter.firstDay(site: request.site, clock: clock) : nil
        let days = request.dateRange.days(today: today, firstDay: firstDay, clock: clock)
        guard days.count <= Self.maxDays else {
            throw QueryError.invalid(
                "a range may cover at most \(Self.maxDays) days (100 years), not \(days.count)", field: "date_range")
        }
        if let bucket = request.timeBucket {
            let buckets = bucket.count(in: days)
            guard buckets <= Self.maxTimeBuckets else {
                let larger = QueryDimension.TimeBucket.automatic(days: days.count).rawValue
                throw QueryError.invalid(
                    "by \(bucket.rawValue), this range has \(buckets) time buckets (at most \(Self.maxTimeBuckets)); use a shorter range or a larger interval, such as \(larger)",
                    field: "dimensions")
            }
        }
        let comparisonDays: ClosedRange<Int64>? =
            switch request.comparison {
            case .none: nil
            case .previousPeriod: (days.lowerBound - Int64(days.count))...(days.lowerBound - 1)
            case .yearOverYear: CivilDays.yearEarlier(days.lowerBound)...CivilDays.yearEarlier(days.upperBound)
            }
        let budget = QueryBudget(seconds: timeBudget)
        let goals = definitions?.goals(of: request.site) ?? []
        // The question as counted: defined goals replaced by their conditions.
        var counted = request
        counted.filter = try request.filter?.expandingGoals(goals)
        // The tables this question reads: its breakdown, currencies for revenue.
        var needed = Set<Projections.Dimension>()
        if let breakdown = request.breakdown { needed.insert(breakdown) }
        if request.metrics.contains(.revenue) { needed.insert(.currency) }
        let question = DayQuestion(
            request: counted, days: [days] + (comparisonDays.map { [$0] } ?? []), zone: clock.zone,
            dimensions: needed, hourly: request.timeBucket == .hour, budget: budget)
        if let funnel = request.funnel {
            return try answer(funnel: funnel, question: question, goals: goals, days: days, started: started)
        }
        let loaded =
            request.breakdown == .goal && !goals.isEmpty
            ? try countGoals(question, goals: goals) : try counter.count(question)
        let aggregator = Aggregator(days: loaded.days, selection: loaded.selection)

        // The base of conversion rates: the same question without its goal filter.
        var conversionBase: Aggregator?
        if request.metrics.contains(.conversionRate) {
            var baseRequest = counted
            baseRequest.filter = try request.filter?.withoutGoals()?.expandingGoals(goals)
            let base = baseRequest.filter == counted.filter ? loaded : try counter.count(question.with(baseRequest))
            conversionBase = Aggregator(days: base.days, selection: base.selection)
        }

        let table = RowBuilder(request: request, aggregator: aggregator, conversionBase: conversionBase)
        var rows = table.rows(days: days)
        var totals = table.totals(days: days)
        if let comparisonDays {
            let previous = table.rows(days: comparisonDays)
            let previousTotals = table.totals(days: comparisonDays)
            rows = RowBuilder.attach(
                previous, to: rows, byPosition: request.timeBucket != nil, metrics: request.metrics)
            totals = RowBuilder.attach([previousTotals], to: [totals], byPosition: true, metrics: request.metrics)[0]
        }
        rows = table.sorted(rows)
        let page = rows.dropFirst(request.offset).prefix(request.limit ?? Int.max)
        var warnings: [String] = []
        if request.metrics.contains(.revenue) {
            let currencies = Set(loaded.days.values.flatMap { $0[.currency].keys })
            if currencies.count > 1 {
                warnings.append(
                    "revenue mixes currencies (\(currencies.sorted().joined(separator: ", "))); break it down by currency"
                )
            }
        }
        return try finish(
            rows: Array(page), totals: totals, loaded: loaded, warnings: warnings, question: question,
            started: started, comparisonDays: comparisonDays)
    }

    /// The result around finished rows: the regular-expression budget checked, damage warnings
    /// added, the time taken.
    func finish(
        rows: [QueryResult.Row], totals: QueryResult.Row, loaded: CountedDays, warnings: [String],
        question: DayQuestion, started: ContinuousClock.Instant, comparisonDays: ClosedRange<Int64>?
    ) throws -> QueryResult {
        if question.budget?.wasSpent == true {
            throw QueryError(
                .tooExpensive,
                "the query's regular expressions took longer than its budget of \(timeBudget) s; make them simpler or more specific (anchor them with ^, avoid .* before and after)",
                field: "filters")
        }
        let elapsed = ContinuousClock.now - started
        return QueryResult(
            rows: rows, totals: totals,
            meta: QueryResult.Meta(
                path: loaded.path, daysFromRollups: loaded.fromRollups, daysFolded: loaded.folded,
                position: loaded.position,
                milliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
                warnings: warnings + loaded.notes + Self.damageWarnings(loaded.damaged, days: question.days),
                importsIncluded: loaded.importsIncluded),
            days: question.days[0], comparisonDays: comparisonDays)
    }

    /// The longest range answered: any history a site can have (the dashboard's "All time").
    public static let maxDays = 36_525
    /// The most time buckets one series may have (one per row), which bounds an answer's size.
    public static let maxTimeBuckets = 20_000

    /// One warning per damaged journal range whose records may fall into the answer's days:
    /// which records are missing and where, naming the segment file only (never a path).
    static func damageWarnings(_ damaged: [DamagedRange], days: [ClosedRange<Int64>]) -> [String] {
        let windows = days.map {
            LocalClock.looseRange(ofDay: $0.lowerBound)
                .lowerBound..<LocalClock.looseRange(ofDay: $0.upperBound).upperBound
        }
        return damaged.filter { range in windows.contains { range.mayConcern($0) } }.map { range in
            "\(range.lostRecords) journal records (\(range.firstSequence)..<\(range.endSequence)) could not be read and are not in this answer: \(range.reason) (\(range.fileName) at byte \(range.offset)); `infinity journal verify` lists the damage"
        }
    }

    /// Visitors of `site` with a hit in the last five minutes before `now`.
    public func currentVisitors(site: String, now: Int64 = QueryEngine.now()) throws -> Int {
        try counter.visitors(site: site, in: (now - 5 * 60_000)..<(now + 1))
    }

    /// The current time in ms UTC.
    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
