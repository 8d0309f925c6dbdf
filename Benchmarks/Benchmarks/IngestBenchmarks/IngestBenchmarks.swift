import Benchmark
import Foundation
import Ingest
import Journal

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
    Benchmark(
        "Pipeline: 10,000 real requests on one thread, UA cache warm",
        configuration: .init(
            metrics: [.wallClock, hitsPerSecond], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
    ) { benchmark in
        let pipeline = IngestPipeline(
            sites: StaticSiteRegistry([Site(domain: "example.com", timeZone: TimeZone(identifier: "Europe/Berlin")!)]),
            visitors: VisitorIdentifier(salts: EphemeralSalts()),
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
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        benchmark.measurement(hitsPerSecond, Int(Double(requests.count) / seconds))
    }
}
