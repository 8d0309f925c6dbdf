import Foundation
import Journal
import Projections
import Testing

@Suite("Projection crash safety")
struct ProjectionCrashTests {
    /// Every day rollup of the current generation.
    static func rollups(_ data: String) throws -> [DayKey: DayRollup] {
        let generation = try #require(try RollupStore(dataDirectory: data).current())
        var result: [DayKey: DayRollup] = [:]
        for key in try generation.keys() { result[key] = try generation.read(key) }
        return result
    }

    @Test("killing the worker at random moments 20 times leaves rollups equal to a clean rebuild")
    func killTheWorkerAtRandomMoments() throws {
        let data = TemporaryDirectory()
        let base = [
            "generate", "--data", data.path, "--site", "example.com", "--site", "shop.example@America/New_York",
            "--sync", "none",
        ]
        let first = try CLI.run(base + ["--days", "3", "--hits-per-day", "15000", "--start", "2026-10-01"])
        try #require(first.status == 0, "\(first.stderr)")
        let started = Date()
        let build = try CLI.run(["rollups", "update", "--data", data.path])
        try #require(build.status == 0, "\(build.stderr)")
        let fullBuild = Date().timeIntervalSince(started)

        var killed = 0
        var delays: [Int] = []
        // Seeded, so that a failing run names delays that can be tried again.
        var random = SplitMix(seed: 20_261_202)
        for round in 0..<20 {
            // New hits, some for days that already have rollups, some for new days.
            let more = try CLI.run(
                base + [
                    "--days", "1", "--hits-per-day", "4000", "--start", "2026-10-0\(1 + round % 5)", "--seed",
                    "\(100 + round)",
                ])
            try #require(more.status == 0, "\(more.stderr)")
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["rollups", "update", "--data", data.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let delay = Int(random.next() % UInt64(max(2, Int(fullBuild * 1000) + 1)))
            delays.append(delay)
            try process.run()
            usleep(useconds_t(delay * 1000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 }
        }
        #expect(killed >= 10, "most runs should be killed mid-way (delays in ms: \(delays))")

        let finish = try CLI.run(["rollups", "update", "--data", data.path])
        #expect(finish.status == 0, "\(finish.stderr)")
        let survived = try Self.rollups(data.path)
        let rebuild = try CLI.run(["rebuild", "--data", data.path])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        let clean = try Self.rollups(data.path)
        #expect(survived.keys.sorted() == clean.keys.sorted())
        for (key, rollup) in clean {
            #expect(
                survived[key]?.hasSameNumbers(as: rollup) == true, "\(key) differs after crashes (delays \(delays))")
        }
        let records = clean.values.reduce(0) { $0 + $1.records }
        let stat = try CLI.run(["journal", "stat", "--data", data.path, "--format", "json"])
        let stats = try cast(JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)), to: [String: Any].self)
        #expect(try Int(records) == cast(stats["records"], to: Int.self))
    }
}
