import Benchmark
import BenchmarkSupport
import Foundation
import Journal
import Logging
import Projections

// What the projections must sustain on the 2-core machine (issue 5): rebuilding rollups from
// 50,000,000 generated hits at ≥ 5,000,000 hits/s (≤ 10 s) with peak memory < 1 GB, and the
// rollups' size on disk per million hits. INFINITY_BENCH_HITS sets another journal size.
// The journal is generated once into $TMPDIR/infinity-bench-rebuild-<hits> and reused.

let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
let totalHits = Int(ProcessInfo.processInfo.environment["INFINITY_BENCH_HITS"] ?? "") ?? 50_000_000
let journal = GeneratedJournal(
    name: "rebuild",
    sites: [
        TrafficGenerator.Site(domain: "example.com", utcOffsetMinutes: 0, pages: 2000),
        TrafficGenerator.Site(domain: "shop.example", utcOffsetMinutes: -300, pages: 800),
        TrafficGenerator.Site(domain: "blog.example", utcOffsetMinutes: 330, pages: 1200),
    ], days: 30, hits: totalHits)
let calendar = SiteCalendar(zones: journal.zones)

let recordsPerSecond = BenchmarkMetric.custom("hits/s", polarity: .prefersLarger, useScalingFactor: false)
let rollupBytesPerMillion = BenchmarkMetric.custom(
    "rollup bytes per 1M hits", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "Rebuild rollups from \(totalHits / 1_000_000)M generated hits, 2 jobs",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResidentDelta, recordsPerSecond, rollupBytesPerMillion],
            warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 3)
    ) { benchmark in
        let data = journal.folder
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
}
