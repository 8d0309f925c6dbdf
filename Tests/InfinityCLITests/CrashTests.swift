import Foundation
import Journal
import Testing

@Suite("Crash safety")
struct CrashTests {
    @Test(
        "SIGKILL mid-stream loses no acknowledged record, and appending resumes cleanly",
        arguments: [15_000, 40_000, 90_000])
    func killMidStream(killAfter: Int) throws {
        let data = TemporaryDirectory()
        let arguments = [
            "generate", "--data", data.path, "--site", "example.com", "--days", "4", "--hits-per-day", "40000",
            "--start", "2026-10-01", "--seed", "5", "--progress", "ndjson", "--sync", "block",
        ]
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read acknowledgements ("durable" watermarks) until enough are in, then kill the writer hard.
        var acknowledged = 0
        var buffer = Data()
        let handle = out.fileHandleForReading
        while acknowledged < killAfter {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                let object = try cast(JSONSerialization.jsonObject(with: line), to: [String: Int].self)
                acknowledged = max(acknowledged, object["durable"]!)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the writer finished before it could be killed")
        #expect(acknowledged >= killAfter)

        // Everything acknowledged is there, and it is exactly what the generator made, in order.
        var records: [Hit] = []
        var blocks = try JournalReader(directory: JournalDirectory(dataDirectory: data.path)).blocks()
        while let block = try blocks.next() { records += (0..<block.count).map { block[$0] } }
        #expect(records.count >= acknowledged)
        let firstDay = Int64(ISO8601DateFormatter().date(from: "2026-10-01T00:00:00Z")!.timeIntervalSince1970) * 1000
        let expected = TrafficGenerator(sites: [TrafficGenerator.Site(domain: "example.com")], seed: 5)
            .allHits(firstDay: firstDay, days: 4, countPerSite: 40_000)
        let mismatch = (0..<min(records.count, expected.count)).first { records[$0] != expected[$0] }
        #expect(mismatch == nil, "record \(mismatch ?? 0) differs from what the generator made")
        #expect(records.count <= expected.count)

        // The journal verifies (a torn tail is not damage), and a new writer continues the sequence.
        #expect(try CLI.run(["journal", "verify", "--data", data.path]).status == 0)
        let resumed = try CLI.run([
            "generate", "--data", data.path, "--days", "1", "--hits-per-day", "100", "--start", "2026-10-10",
        ])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let verify = try CLI.run(["journal", "verify", "--data", data.path])
        #expect(verify.status == 0)
        #expect(!verify.stdout.contains("torn tail"))
        let stat = try CLI.run(["journal", "stat", "--data", data.path, "--format", "json"])
        let stats = try cast(JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)), to: [String: Any].self)
        #expect(try cast(stats["records"], to: Int.self) > records.count)
        #expect(try cast(stats["end_sequence"], to: Int.self) == cast(stats["records"], to: Int.self))
    }
}
