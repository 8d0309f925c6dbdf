import Benchmark
import BenchmarkSupport
import Foundation
import Journal
import Logging
import Projections
import Query

// Issue 6: on 10,000,000 generated hits over 30 days for one site, the dashboard overview from
// rollups in ≤ 20 ms, and filtered questions that the rollups' cells cannot answer at least as
// fast as DuckDB answering the same question over the same records in its own native table,
// measured here in the same run (target: half of DuckDB's time). INFINITY_BENCH_HITS sets
// another size. DuckDB comes from `make oracle` (PyPI); each DuckDB answer is checked against ours
// before it is timed, so both engines are known to answer the same question.

let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
let totalHits = Int(ProcessInfo.processInfo.environment["INFINITY_BENCH_HITS"] ?? "") ?? 10_000_000
let journal = GeneratedJournal(
    name: "query", sites: [TrafficGenerator.Site(domain: "example.com", utcOffsetMinutes: 0, pages: 2000)],
    days: 30, hits: totalHits)
let calendar = SiteCalendar(zones: journal.zones)

let worker: ProjectionWorker = {
    let worker = ProjectionWorker(
        journal: JournalDirectory(dataDirectory: journal.folder), store: RollupStore(dataDirectory: journal.folder),
        calendar: calendar, jobs: 2, logger: logger)
    try! worker.catchUp()
    return worker
}()
/// As `infinity serve` runs it: day-file sections stay in memory between questions (256 MiB).
let engine = QueryEngine(worker: worker, cache: SectionCache())
/// As one `infinity query` command runs: every section read from the (OS-cached) files, checked
/// and decompressed again.
let uncachedEngine = QueryEngine(worker: worker)

let duckDB: DuckDB = {
    let duck = try! DuckDB(folder: journal.folder, calendar: calendar)
    print("DuckDB: \(duck.about)")
    return duck
}()

let thirtyDays = DateRange.custom(from: GeneratedJournal.firstDay, to: GeneratedJournal.firstDay + 29)
let sqlDays = "day between '2026-10-01' and '2026-10-30'"

/// A question both engines answer, with how to read DuckDB's rows as ours.
struct Question {
    let name: String
    let request: QueryRequest
    let sql: String

    /// Our answer as rows of text (dimension values, then whole numbers).
    func ours() throws -> [[String]] {
        let result = try uncachedEngine.run(request)
        let rows = request.dimensions.isEmpty ? [result.totals] : result.rows
        return rows.map { row in row.dimensions + row.metrics.map { String(Int(($0 ?? 0).rounded())) } }
    }
}

let questions = [
    Question(
        name: "top 10 pages where country is DE",
        request: QueryRequest(
            site: "example.com", dateRange: thirtyDays, metrics: [.visitors], dimensions: [.dimension(.page)],
            filter: .compare(.init(op: .is, dimension: .country, values: ["DE"])), limit: 10),
        sql: """
            select pathname, count(distinct visitor) as v from hits where country = 'DE' and \(sqlDays)
            group by pathname order by v desc, pathname limit 10
            """),
    Question(
        name: "unique visitors where browser is Firefox",
        request: QueryRequest(
            site: "example.com", dateRange: thirtyDays, metrics: [.visitors],
            filter: .compare(.init(op: .is, dimension: .browser, values: ["Firefox"]))),
        sql: "select count(distinct visitor) from hits where browser = 'Firefox' and \(sqlDays)"),
    Question(
        name: "unique visitors where browser is Firefox and country is DE",
        request: QueryRequest(
            site: "example.com", dateRange: thirtyDays, metrics: [.visitors],
            filter: .and([
                .compare(.init(op: .is, dimension: .browser, values: ["Firefox"])),
                .compare(.init(op: .is, dimension: .country, values: ["DE"])),
            ])),
        sql: "select count(distinct visitor) from hits where browser = 'Firefox' and country = 'DE' and \(sqlDays)"),
    Question(
        name: "one day, visitors by hour and country (every row)",
        request: QueryRequest(
            site: "example.com",
            dateRange: .custom(from: GeneratedJournal.firstDay + 14, to: GeneratedJournal.firstDay + 14),
            metrics: [.visitors], dimensions: [.time(.hour), .dimension(.country)]),
        sql: """
            select strftime(day, '%Y-%m-%d') || ' ' || lpad(((ts // 3600000) % 24)::varchar, 2, '0') || ':00' as hour,
              coalesce(country, '') as c, count(distinct visitor) as v from hits where day = '2026-10-15'
            group by hour, c order by hour, v desc, c
            """),
    Question(
        name: "top 10 pages",
        request: QueryRequest(
            site: "example.com", dateRange: thirtyDays, metrics: [.visitors], dimensions: [.dimension(.page)],
            limit: 10),
        sql: """
            select pathname, count(distinct visitor) as v from hits where \(sqlDays)
            group by pathname order by v desc, pathname limit 10
            """),
]

let benchmarks: @Sendable () -> Void = {
    let quick = Benchmark.Configuration(
        metrics: [.wallClock], warmupIterations: 2, maxDuration: .seconds(20), maxIterations: 25)
    for (label, engine) in [("", engine), (" (without section cache)", uncachedEngine)] {
        Benchmark(
            "Overview of 30 days, \(totalHits / 1_000_000)M hits: headline with change, visitors per day, 4 top-5 panels\(label)",
            configuration: quick
        ) { benchmark in
            let requests = QueryRequest(site: "example.com", dateRange: thirtyDays).overview.all
            benchmark.startMeasurement()
            for request in requests { blackHole(try engine.run(request)) }
            benchmark.stopMeasurement()
        }
    }
    // The Stats API's whole work for an answer of many rows: the question, then its JSON bytes.
    for question in questions where question.request.timeBucket == .hour {
        let label = question.name
        Benchmark("Infinity, answer as JSON: \(label), \(totalHits / 1_000_000)M hits", configuration: quick) {
            benchmark in
            print("  (\(label): \(try engine.run(question.request).rows.count) rows)")
            benchmark.startMeasurement()
            blackHole(try engine.run(question.request).json(for: question.request))
            benchmark.stopMeasurement()
        }
    }
    for question in questions {
        Benchmark("Infinity: \(question.name), 30 days, \(totalHits / 1_000_000)M hits", configuration: quick) {
            benchmark in
            let path = try engine.run(question.request).meta.path
            benchmark.startMeasurement()
            blackHole(try engine.run(question.request))
            benchmark.stopMeasurement()
            print("  (\(question.name): answered from \(path))")
        }
        Benchmark(
            "Infinity without section cache: \(question.name), 30 days, \(totalHits / 1_000_000)M hits",
            configuration: quick
        ) { benchmark in
            benchmark.startMeasurement()
            blackHole(try uncachedEngine.run(question.request))
            benchmark.stopMeasurement()
        }
        Benchmark("DuckDB: \(question.name), 30 days, \(totalHits / 1_000_000)M hits", configuration: quick) {
            benchmark in
            let ours = try question.ours()
            let theirs = try duckDB.query(question.sql)
            precondition(ours == theirs, "DuckDB and Infinity differ on \(question.name): \(theirs) vs \(ours)")
            benchmark.startMeasurement()
            blackHole(try duckDB.query(question.sql))
            benchmark.stopMeasurement()
        }
    }
}
