import Benchmark
import BenchmarkSupport
import Foundation
import Journal
import Logging
import Synchronization

// What the journal must sustain on the 2-core machine (issue 2):
//   ≥ 1,000,000 records/s appended without fsync, ≥ 300,000 records/s with group-commit fsync,
//   ≥ 10,000,000 records/s decoded per core, ≤ 24 bytes/record on disk for generated traffic.
// Each benchmark reports its rate as a custom metric; medians go into Docs/benchmarks.md.

let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
let firstDay: Int64 = 20_727 * 86_400_000  // 2026-10-01

/// 30 days of `make run`'s demo traffic (two sites, 20,000 hits a site a day): about 1.2 M hits.
nonisolated(unsafe) let demoTraffic: [Hit] = TrafficGenerator(
    sites: [
        TrafficGenerator.Site(domain: "example.com"),
        TrafficGenerator.Site(domain: "shop.example", utcOffsetMinutes: -300),
    ], seed: 42
).allHits(firstDay: firstDay, days: 30, countPerSite: 20_000)

/// The first 262,144 of them, as the 8,192-record arrays a bulk appender (generate, import) hands over.
nonisolated(unsafe) let appendChunks: [[Hit]] = stride(from: 0, to: 262_144, by: 8192).map {
    Array(demoTraffic[$0..<($0 + 8192)])
}

func temporaryJournal() -> String {
    let path = NSTemporaryDirectory() + "infinity-bench-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path + "/journal"
}

func remove(_ journal: String) {
    try? FileManager.default.removeItem(atPath: (journal as NSString).deletingLastPathComponent)
}

/// A journal with all of `demoTraffic`, written once (on first use) for the read benchmarks.
let readJournalPath = Mutex<String?>(nil)

func readJournal() throws -> String {
    try journal(
        cachedIn: readJournalPath, commit: CommitPolicy(sync: .none),
        chunks: stride(from: 0, to: demoTraffic.count, by: 8192).map {
            Array(demoTraffic[$0..<min($0 + 8192, demoTraffic.count)])
        })
}

/// The first 262,140 records of `demoTraffic` as a live server writes them: blocks of 20, each
/// compressed against the blocks before it (linked), written once on first use.
let liveJournalPath = Mutex<String?>(nil)

func liveJournal() throws -> String {
    try journal(
        cachedIn: liveJournalPath, commit: CommitPolicy(maxRecords: 20, sync: .none),
        chunks: [Array(demoTraffic[0..<262_140])])
}

/// The path in `cache`, or a new journal of `chunks` written with `commit` and kept there.
func journal(cachedIn cache: borrowing Mutex<String?>, commit: CommitPolicy, chunks: @autoclosure () -> [[Hit]]) throws
    -> String
{
    try cache.withLock { cached in
        if let cached { return cached }
        let journal = temporaryJournal()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: journal, commit: commit), logger: logger)
        try append(chunks(), to: writer)
        try writer.closeBlocking()
        cached = journal
        return journal
    }
}

/// Hands `chunks` to the writer, waiting whenever its queue is full, then waits until all are durable.
func append(_ chunks: [[Hit]], to writer: JournalWriter) throws {
    for chunk in chunks {
        while true {
            do {
                try writer.enqueue(chunk)
                break
            } catch let error as JournalError where error.code == .overloaded {
                try writer.flushBlocking()
            }
        }
    }
    try writer.flushBlocking()
}

/// Decodes every block of `journal` in order on this thread, measuring records a second.
func decodeAll(_ journal: String, _ benchmark: Benchmark) throws {
    let reader = JournalReader(directory: JournalDirectory(path: journal))
    let start = ContinuousClock.now
    benchmark.startMeasurement()
    var blocks = try reader.blocks()
    var records = 0
    var pageviewsOnHome = 0
    while let block = try blocks.next() {
        records += block.count
        // Touch two columns the way a fold does, so decoding cannot be skipped.
        let path = block.column(.pathname)
        if let home = path.dictionary.firstIndex(of: "/") {
            pageviewsOnHome &+= path.indices.lazy.filter { $0 == UInt32(home) }.count
        }
    }
    benchmark.stopMeasurement()
    blackHole(pageviewsOnHome)
    benchmark.measurement(recordsPerSecond, Int(Double(records) / seconds(since: start)))
}

let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
let bytesPerThousandRecords = BenchmarkMetric.custom(
    "bytes per 1000 records", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 15)

    for sync in [CommitPolicy.Sync.none, .everyBlock] {
        Benchmark(
            "Append 262,144 records in 8,192-record blocks, sync=\(sync.rawValue)",
            configuration: .init(metrics: [.wallClock, .peakMemoryResident, recordsPerSecond])
        ) { benchmark in
            let journal = temporaryJournal()
            defer { remove(journal) }
            let writer = try JournalWriter(
                configuration: JournalConfiguration(directory: journal, commit: CommitPolicy(sync: sync)),
                logger: logger)
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            try append(appendChunks, to: writer)
            benchmark.stopMeasurement()
            benchmark.measurement(recordsPerSecond, Int(262_144 / seconds(since: start)))
            try writer.closeBlocking()
        }
    }

    Benchmark(
        "Append 1 record at a time from 64 concurrent threads, each waiting for its fsync",
        configuration: .init(metrics: [.wallClock, recordsPerSecond], maxIterations: 8)
    ) { benchmark in
        let journal = temporaryJournal()
        defer { remove(journal) }
        let writer = try JournalWriter(configuration: JournalConfiguration(directory: journal), logger: logger)
        let threads = 64, perThread = 1000
        let done = DispatchGroup()
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        for thread in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                for i in 0..<perThread { try! writer.appendBlocking([demoTraffic[thread * perThread + i]]) }
                done.leave()
            }
        }
        done.wait()
        benchmark.stopMeasurement()
        benchmark.measurement(recordsPerSecond, Int(Double(threads * perThread) / seconds(since: start)))
        try writer.closeBlocking()
    }

    // A busy server's group commits hold about 20 records each (Docs/benchmarks.md, issue 18): the
    // writer thread encodes one such block per fsync, so its fixed cost per block is on the path of
    // every acknowledgement.
    Benchmark(
        "Encode 262,140 records as blocks of 20 (a live server's group commits)",
        configuration: .init(metrics: [.wallClock, recordsPerSecond])
    ) { benchmark in
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        var bytes = 0
        for first in stride(from: 0, to: 262_140, by: 20) {
            let block = try BlockEncoder.encode(demoTraffic[first..<(first + 20)], firstSequence: UInt64(first))
            bytes &+= block.bytes.count
        }
        benchmark.stopMeasurement()
        blackHole(bytes)
        benchmark.measurement(recordsPerSecond, Int(262_140 / seconds(since: start)))
    }

    Benchmark(
        "Decode every block of 30 days of demo traffic, one core",
        configuration: .init(metrics: [.wallClock, recordsPerSecond])
    ) { benchmark in
        try decodeAll(try readJournal(), benchmark)
    }

    // `serve`'s projection worker reads what the writer just wrote: small linked blocks, each
    // decompressed against the chain's history.
    Benchmark(
        "Decode 262,140 records written as a live server's linked blocks of 20, one core",
        configuration: .init(metrics: [.wallClock, recordsPerSecond])
    ) { benchmark in
        try decodeAll(try liveJournal(), benchmark)
    }

    Benchmark(
        "Bytes on disk for 30 days of demo traffic",
        configuration: .init(metrics: [bytesPerThousandRecords], maxIterations: 1)
    ) { benchmark in
        let stats = try JournalStats(directory: JournalDirectory(path: try readJournal()))
        benchmark.measurement(bytesPerThousandRecords, Int(stats.bytesPerRecord * 1000))
    }
}
