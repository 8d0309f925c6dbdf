import Benchmark
import Dispatch
import Foundation
import Journal
import Logging
import Projections
import Query
import Synchronization

// What the projections must sustain on the 2-core machine (issue 5): rebuilding rollups from
// 50,000,000 generated hits at ≥ 5,000,000 hits/s (≤ 10 s) with peak memory < 1 GB, and the
// rollups' size on disk per million hits. INFINITY_BENCH_HITS sets another journal size.
// The journal is generated once into $TMPDIR/infinity-bench-rebuild-<hits> and reused.

let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
let totalHits = Int(ProcessInfo.processInfo.environment["INFINITY_BENCH_HITS"] ?? "") ?? 50_000_000
let days = 30
let sites = [
    TrafficGenerator.Site(domain: "example.com", utcOffsetMinutes: 0, pages: 2000),
    TrafficGenerator.Site(domain: "shop.example", utcOffsetMinutes: -300, pages: 800),
    TrafficGenerator.Site(domain: "blog.example", utcOffsetMinutes: 330, pages: 1200),
]
let calendar = SiteCalendar(zones: [
    "example.com": TimeZone(identifier: "UTC")!, "shop.example": TimeZone(secondsFromGMT: -300 * 60)!,
    "blog.example": TimeZone(secondsFromGMT: 330 * 60)!,
])

let recordsPerSecond = BenchmarkMetric.custom("hits/s", polarity: .prefersLarger, useScalingFactor: false)
let rollupBytesPerMillion = BenchmarkMetric.custom(
    "rollup bytes per 1M hits", polarity: .prefersSmaller, useScalingFactor: false)

/// The data folder holding the benchmark journal, generated on first use.
let dataFolder: String = {
    let folder = NSTemporaryDirectory() + "infinity-bench-rebuild-\(totalHits)"
    let marker = folder + "/journal-complete"
    if FileManager.default.fileExists(atPath: marker) { return folder }
    try? FileManager.default.removeItem(atPath: folder)
    try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let generator = TrafficGenerator(sites: sites, seed: 42)
    let firstDay: Int64 = 20_727 * 86_400_000  // 2026-10-01
    let perSiteDay = totalHits / (days * sites.count)
    let writer = try! JournalWriter(
        configuration: JournalConfiguration(directory: folder + "/journal", commit: CommitPolicy(sync: .none)),
        logger: logger)
    // Two UTC days at a time are generated in parallel, then appended in order.
    for pair in stride(from: -1, through: days, by: 2) {
        let made = Mutex<[Int: [Hit]]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { offset in
            guard pair + offset <= days else { return }
            let hits = generator.hits(utcDay: pair + offset, firstDay: firstDay, days: days, countPerSite: perSiteDay)
            made.withLock { $0[offset] = hits }
        }
        for offset in 0..<2 {
            guard let hits = made.withLock({ $0[offset] }) else { continue }
            for start in stride(from: 0, to: hits.count, by: 8192) {
                let chunk = Array(hits[start..<min(start + 8192, hits.count)])
                while true {
                    do {
                        _ = try writer.enqueue(chunk)
                        break
                    } catch {
                        guard (error as? JournalError)?.code == .overloaded else { fatalError("\(error)") }
                        try! writer.flushBlocking()
                    }
                }
            }
        }
    }
    try! writer.closeBlocking()
    // The sites file, so that `infinity rebuild --data <folder>` counts the same days.
    let sitesJSON = """
        [{"domain":"blog.example","timezone":"GMT+0530"},{"domain":"example.com","timezone":"UTC"},\
        {"domain":"shop.example","timezone":"GMT-0500"}]
        """
    try! sitesJSON.write(toFile: folder + "/sites.json", atomically: true, encoding: .utf8)
    _ = FileManager.default.createFile(atPath: marker, contents: nil)
    return folder
}()

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func folderSize(_ path: String) -> Int {
    var total = 0
    for case let name as String in FileManager.default.enumerator(atPath: path)! {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
        if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
    }
    return total
}

/// A query engine over the benchmark data, with rollups built (once) if there are none.
func engine() throws -> QueryEngine {
    let worker = ProjectionWorker(
        journal: JournalDirectory(dataDirectory: dataFolder), store: RollupStore(dataDirectory: dataFolder),
        calendar: calendar, jobs: 2, logger: logger)
    if try worker.store.current() == nil { try worker.catchUp() }
    return QueryEngine(worker: worker)
}

let thirtyDays = DateRange.custom(from: 20_727, to: 20_756)  // 2026-10-01 ... 2026-10-30

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "Rebuild rollups from \(totalHits / 1_000_000)M generated hits, 2 jobs",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResidentDelta, recordsPerSecond, rollupBytesPerMillion],
            warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 3)
    ) { benchmark in
        let data = dataFolder
        let rebuilder = Rebuilder(
            journal: JournalDirectory(dataDirectory: data), store: RollupStore(dataDirectory: data),
            calendar: calendar, options: RebuildOptions(jobs: 2), logger: logger)
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let report = try rebuilder.run()
        benchmark.stopMeasurement()
        benchmark.measurement(recordsPerSecond, Int(Double(report.records) / seconds(since: start)))
        benchmark.measurement(
            rollupBytesPerMillion, folderSize(report.generation.path) * 1_000_000 / max(Int(report.records), 1))
    }

    Benchmark(
        "Query the 30-day overview of a site with \(totalHits / 3_000_000)M hits from rollups (totals, daily series, top pages)",
        configuration: .init(metrics: [.wallClock], warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 20)
    ) { benchmark in
        let engine = try engine()
        var request = QueryRequest(
            site: "example.com", dateRange: thirtyDays,
            metrics: [.visitors, .visits, .pageviews, .viewsPerVisit, .bounceRate, .visitDuration],
            comparison: .previousPeriod)
        benchmark.startMeasurement()
        blackHole(try engine.run(request))
        request.dimensions = [.time(.day)]
        blackHole(try engine.run(request))
        request.dimensions = [.dimension(.page)]
        request.limit = 10
        request.comparison = nil
        blackHole(try engine.run(request))
        benchmark.stopMeasurement()
    }

    Benchmark(
        "Query 30 days of a site with \(totalHits / 3_000_000)M hits, filtered by page contains /blog, by country (raw hits)",
        configuration: .init(metrics: [.wallClock], warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 5)
    ) { benchmark in
        let engine = try engine()
        let request = QueryRequest(
            site: "example.com", dateRange: thirtyDays, metrics: [.visitors, .pageviews, .bounceRate],
            dimensions: [.dimension(.country)],
            filter: .compare(.init(op: .contains, dimension: .page, values: ["/blog"])))
        benchmark.startMeasurement()
        let result = try engine.run(request)
        benchmark.stopMeasurement()
        precondition(result.meta.path == "journal")
        blackHole(result)
    }
}
