import Benchmark
import BenchmarkSupport
import Foundation
import Ingest
import Journal
import Logging
import Synchronization

// Issue 3's target: ≥ 250,000 hits/s per core through the whole pipeline on realistic traffic,
// user-agent cache warm. The traffic is the 10,000 real requests of ../shared/data/logs (their
// client IPs, user agents, paths and referrers), replayed as tracker events on one thread.

let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data").path

/// (event, context) pairs from the access log's lines.
nonisolated(unsafe) let requests: [(IncomingEvent, RequestContext)] = {
    let text = try! String(contentsOfFile: shared + "/logs/elastic-apache_logs", encoding: .utf8)
    var result: [(IncomingEvent, RequestContext)] = []
    for (index, line) in text.split(separator: "\n").enumerated() {
        // ip - - [time] "GET /path HTTP/1.1" status size "referrer" "agent"
        let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
        guard quoted.count >= 6, let ip = line.split(separator: " ").first else { continue }
        let request = quoted[1].split(separator: " ")
        guard request.count >= 2 else { continue }
        let referrer = quoted[3] == "-" ? nil : String(quoted[3])
        let event = IncomingEvent(
            name: "pageview", url: "https://example.com" + request[1], domain: "example.com", referrer: referrer,
            screenWidth: [390, 1280, 1920][index % 3])
        let context = RequestContext(
            peerAddress: String(ip), userAgent: String(quoted[5]), time: 1_795_000_000_000 + Int64(index) * 1000)
        result.append((event, context))
    }
    return result
}()

let benchmarks: @Sendable () -> Void = {
    let hitsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
    // On a site's first day there is no salt of yesterday; on every later day there is, and a hit
    // may continue a session from before midnight.
    for laterDay in [false, true] {
        Benchmark(
            laterDay
                ? "Pipeline: 10,000 real requests on one thread, UA cache warm, a later day (yesterday's salt kept)"
                : "Pipeline: 10,000 real requests on one thread, UA cache warm",
            configuration: .init(
                metrics: [.wallClock, hitsPerSecond], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
        ) { benchmark in
            let site = Site(domain: "example.com", timeZone: TimeZone(identifier: "Europe/Berlin")!)
            let salts = EphemeralSalts()
            if laterDay { _ = try salts.salt(site: site.domain, day: site.localDay(of: requests[0].1.time) - 1) }
            let pipeline = IngestPipeline(
                sites: StaticSiteRegistry([site]), visitors: VisitorIdentifier(salts: salts),
                geoip: try MaxMindDatabase(path: shared + "/geoip/dbip-country-lite.mmdb"))
            for (event, context) in requests { _ = pipeline.process(event, context: context) }  // warm the caches
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            var accepted = 0
            for (event, context) in requests {
                if case .accepted(let hits) = pipeline.process(event, context: context) { accepted += hits.count }
            }
            benchmark.stopMeasurement()
            blackHole(accepted)
            let elapsed = seconds(since: start)
            benchmark.measurement(hitsPerSecond, Int(Double(requests.count) / elapsed))
        }
    }

    // Countries of addresses that are all different (a flood, or a busy site's visitors): the
    // search tree walk and the country record of every lookup, on one thread and on two at once
    // (as the server's two event loops do).
    let lookupsPerSecond = BenchmarkMetric.custom("lookups/s", polarity: .prefersLarger, useScalingFactor: false)
    var generator = SeededAddresses(seed: 42)
    let addresses = (0..<1_000_000).map { _ in generator.next() }
    for threads in [1, 2] {
        Benchmark(
            "GeoIP: countries of 1,000,000 different IPv4 addresses, \(threads == 1 ? "one thread" : "two threads at once")",
            configuration: .init(
                metrics: [.wallClock, lookupsPerSecond], warmupIterations: 1, maxDuration: .seconds(10),
                maxIterations: 10)
        ) { benchmark in
            let database = try MaxMindDatabase(path: shared + "/geoip/dbip-country-lite.mmdb")
            let found = SharedTotal()
            let start = ContinuousClock.now
            benchmark.startMeasurement()
            DispatchQueue.concurrentPerform(iterations: threads) { part in
                var known = 0
                for index in stride(from: part, to: addresses.count, by: threads)
                where database.country(of: addresses[index]) != nil {
                    known += 1
                }
                found.add(known)
            }
            benchmark.stopMeasurement()
            blackHole(found.value)
            benchmark.measurement(lookupsPerSecond, Int(Double(addresses.count) / seconds(since: start)))
        }
    }

    // A flood of new visitors (every hit from another address) through the ids' memory of the last
    // half hour: the rate, and the longest single id, which a sweep of that memory under its lock
    // would show (every event loop waits for it).
    Benchmark(
        "Visitor ids of 3,000,000 new visitors in 50 minutes",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, idsPerSecond, longestID], warmupIterations: 0,
            maxDuration: .seconds(60), maxIterations: 5)
    ) { benchmark in
        let site = Site(domain: "example.com")
        let visitors = VisitorIdentifier(salts: EphemeralSalts())
        let first = requests[0].1.time
        let addresses = (0..<3_000_000).map { IPAddress("10.\($0 >> 16).\($0 >> 8 & 255).\($0 & 255)")! }
        var longest: Duration = .zero
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        for index in 0..<3_000_000 {
            let before = ContinuousClock.now
            blackHole(
                try visitors.visitorID(
                    site: site, address: addresses[index], userAgent: "A", time: first + Int64(index)))
            longest = max(longest, ContinuousClock.now - before)
        }
        benchmark.stopMeasurement()
        let elapsed = seconds(since: start)
        benchmark.measurement(idsPerSecond, Int(3_000_000 / elapsed))
        benchmark.measurement(
            longestID, Int(longest.components.seconds * 1_000_000 + longest.components.attoseconds / 1_000_000_000_000))
    }

    // Issue 16: the classifier without its cache, on 16,129 real device strings (uap-core's
    // test_device.yaml): what a server pays for each agent it has not seen yet.
    Benchmark(
        "User agents classified without the cache (16,129 real device strings)",
        configuration: .init(metrics: [.wallClock, agentsPerSecond], warmupIterations: 1, maxDuration: .seconds(10))
    ) { benchmark in
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        var bots = 0
        for agent in deviceAgents where UserAgentClassifier.classifyUncached(agent).kind != .browser { bots += 1 }
        benchmark.stopMeasurement()
        blackHole(bots)
        let elapsed = seconds(since: start)
        benchmark.measurement(agentsPerSecond, Int(Double(deviceAgents.count) / elapsed))
    }

    // Issue 8's target: ≥ 300,000 access-log lines/s imported on the 2-core machine. The log is the
    // real one repeated 100 times, each copy shifted by 4 days (1,000,000 distinct lines, 237 MB).
    Benchmark(
        "Import 1,000,000 access-log lines (combined format, fsync per block)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, linesPerSecond], warmupIterations: 1, maxDuration: .seconds(60),
            maxIterations: 5)
    ) { benchmark in
        let log = bigLog()
        let data = NSTemporaryDirectory() + "infinity-bench-import-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: data + "/journal"), logger: quietLogger)
        let importer = try AccessLogImporter(
            dataDirectory: data, writer: writer,
            options: AccessLogImporter.Options(site: Site(domain: "elastic.example")), logger: quietLogger)
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let (summary, _) = try importer.run(files: [log])
        benchmark.stopMeasurement()
        let elapsed = seconds(since: start)
        // 158,600 since the classifier's version 2 (feed readers and app clients dropped); 249,400 before.
        precondition(summary.lines == 1_000_000 && summary.pageviews == 158_600)
        benchmark.measurement(linesPerSecond, Int(Double(summary.lines) / elapsed))
        try writer.closeBlocking()
    }
}

let agentsPerSecond = BenchmarkMetric.custom("agents/s", polarity: .prefersLarger, useScalingFactor: false)

/// The user-agent strings of uap-core's test_device.yaml.
nonisolated(unsafe) let deviceAgents: [String] = {
    let text = try! String(contentsOfFile: shared + "/ua/uap-core/tests/test_device.yaml", encoding: .utf8)
    return text.split(separator: "\n").compactMap { line -> String? in
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix("- user_agent_string:") else { return nil }
        var value = trimmed.dropFirst("- user_agent_string:".count).drop { $0 == " " }
        if value.hasPrefix("'") || value.hasPrefix("\"") { value = value.dropFirst().dropLast() }
        return String(value)
    }
}()

let idsPerSecond = BenchmarkMetric.custom("ids/s", polarity: .prefersLarger, useScalingFactor: false)
let longestID = BenchmarkMetric.custom("longest id (µs)", polarity: .prefersSmaller, useScalingFactor: false)
let linesPerSecond = BenchmarkMetric.custom("lines/s", polarity: .prefersLarger, useScalingFactor: false)
let quietLogger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

/// The benchmark log, written once into $TMPDIR.
func bigLog() -> String {
    let path = NSTemporaryDirectory() + "infinity-bench-access-1M.log"
    if FileManager.default.fileExists(atPath: path) { return path }
    let lines = try! String(contentsOfFile: shared + "/logs/elastic-apache_logs", encoding: .utf8)
        .split(separator: "\n")
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    var out = ""
    out.reserveCapacity(240_000_000)
    for copy in 0..<100 {
        for line in lines {
            // [17/May/2015:10:05:03 +0000] → the same time 4 × copy days later.
            guard let open = line.firstIndex(of: "["), let colon = line[open...].firstIndex(of: ":") else { continue }
            let date = line[line.index(after: open)..<colon].split(separator: "/")
            let day = Int(date[0])!, month = months.firstIndex(of: String(date[1]))! + 1, year = Int(date[2])!
            var components = DateComponents(year: year, month: month, day: day)
            components.timeZone = TimeZone(identifier: "UTC")
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let shifted = calendar.date(byAdding: .day, value: 4 * copy, to: calendar.date(from: components)!)!
            let parts = calendar.dateComponents([.year, .month, .day], from: shifted)
            let stamp = String(format: "%02d/%@/%04d", parts.day!, months[parts.month! - 1], parts.year!)
            out += line[..<line.index(after: open)] + stamp + line[colon...] + "\n"
        }
    }
    try! out.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Public IPv4 addresses from a fixed seed, the same in every run.
struct SeededAddresses {
    var random: SeededRandom
    init(seed: UInt64) { random = SeededRandom(seed: seed) }
    mutating func next() -> IPAddress {
        let value = UInt32(truncatingIfNeeded: random.next())
        let first = 1 + (value >> 24) % 223
        return IPAddress("\(first).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)")!
    }
}

/// A total added to from several threads.
final class SharedTotal: Sendable {
    private let total = Mutex(0)
    func add(_ amount: Int) { total.withLock { $0 += amount } }
    var value: Int { total.withLock { $0 } }
}
