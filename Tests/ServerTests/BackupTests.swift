import Foundation
import Synchronization
import Testing

/// `infinity backup` beside a running server under load, and `infinity restore`: what comes back
/// is a journal of its own, a prefix of the live one, and answers exactly what the server answers.
@Suite("backup and restore beside a running server", .serialized)
struct BackupTests {
    static let address = "81.2.69.160"

    /// The journal's records as `journal dump` writes them, one line each.
    static func dump(_ data: String) throws -> [Substring] {
        try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"]).split(separator: "\n")
    }

    /// Answers to a few questions, as CSV.
    static func answers(_ data: String) throws -> [String] {
        try [
            ["--metrics", "visitors,visits,pageviews,bounce_rate,time_on_page"],
            ["--by", "page", "--metrics", "visitors,pageviews"],
            ["--by", "browser", "--metrics", "visitors"],
        ].map { question in
            try ServerProcess.run(
                ["query", "example.com", "--data", data, "--range", "today", "--format", "csv"] + question)
        }
    }

    @Test(
        "a backup taken under load restores to a prefix of the journal; one taken after it to the same answers; no address and no salt is in it"
    )
    func backupUnderLoadRestores() throws {
        let data = ServerProcess.temporaryFolder()
        let backup = ServerProcess.temporaryFolder()
        let early = ServerProcess.temporaryFolder()
        let restored = ServerProcess.temporaryFolder()
        let restoredEarly = ServerProcess.temporaryFolder()
        defer {
            for folder in [data, backup, early, restored, restoredEarly] {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        defer { _ = server.stop() }
        _ = try ServerProcess.run(["goals", "add", "example.com", "--event", "Signup", "--data", data])

        // Load: page views and engagement reports from many visitors, on their own thread.
        let total = 1500
        let sent = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let port = server.port
        let load = Thread {
            guard let connection = try? HTTPConnection(port: port) else {
                failures.add(total, ordering: .relaxed)
                return
            }
            for index in 0..<total {
                let agent = ServeEndToEndTests.chrome.replacingOccurrences(of: "131.0", with: "131.\(index % 97)")
                let body =
                    index % 3 == 2
                    ? #"{"n":"engagement","u":"https://example.com/p\#(index % 13)","d":"example.com","e":4000,"sd":60}"#
                    : #"{"n":"pageview","u":"https://example.com/p\#(index % 13)","d":"example.com","w":1280}"#
                let response = try? connection.request(
                    "POST", "/api/event",
                    headers: ["Content-Type": "text/plain", "User-Agent": agent, "X-Forwarded-For": Self.address],
                    body: Array(body.utf8))
                if response?.status != 202 { failures.add(1, ordering: .relaxed) }
                sent.add(1, ordering: .relaxed)
            }
        }
        load.start()
        #expect(LiveAdministrationTests.eventually { sent.load(ordering: .relaxed) >= 300 }, "the load did not start")
        let during = try ServerProcess.invoke(["backup", "--data", data, "--to", early])
        #expect(during.status == 0, "\(during.output)")
        let sentAtBackup = sent.load(ordering: .relaxed)
        #expect(sentAtBackup < total, "the backup should have run while hits arrived")
        #expect(LiveAdministrationTests.eventually(60) { sent.load(ordering: .relaxed) == total })
        #expect(failures.load(ordering: .relaxed) == 0)
        let durable = try ServerProcess.metric("infinity_journal_durable_sequence", from: HTTPConnection(port: port))
        #expect(
            try LiveAdministrationTests.eventually {
                try ServerProcess.metric("infinity_rollups_position", from: HTTPConnection(port: port)) >= durable
            })

        // Taken after the load, into a folder that already holds an earlier backup (incremental).
        for _ in 0..<2 {
            let after = try ServerProcess.invoke(["backup", "--data", data, "--to", backup])
            #expect(after.status == 0, "\(after.output)")
        }
        #expect(try ServerProcess.invoke(["restore", "--from", backup, "--data", restored]).status == 0)
        let live = try Self.dump(data)
        #expect(live.count == total)
        #expect(try Self.dump(restored) == live, "the restored journal differs from the live one")
        #expect(try Self.answers(restored) == Self.answers(data))
        #expect(
            try ServerProcess.run(["goals", "list", "example.com", "--data", restored]).contains("Signup"),
            "settings come back too")

        // The one taken under load: a whole journal of its own, the first records of the live one.
        #expect(try ServerProcess.invoke(["restore", "--from", early, "--data", restoredEarly]).status == 0)
        let partial = try Self.dump(restoredEarly)
        #expect(partial.count >= 300 && partial.count < live.count, "\(partial.count) of \(live.count)")
        #expect(Array(live.prefix(partial.count)) == partial)
        let verify = try ServerProcess.invoke(["journal", "verify", "--data", restoredEarly])
        #expect(verify.status == 0, "\(verify.output)")
        // Its rollups agree with its own journal: the answers equal those after a rebuild.
        let beforeRebuild = try Self.answers(restoredEarly)
        _ = try ServerProcess.run(["rebuild", "--data", restoredEarly])
        #expect(try Self.answers(restoredEarly) == beforeRebuild)

        // A restore never mixes two histories.
        let again = try ServerProcess.invoke(["restore", "--from", backup, "--data", restored])
        #expect(again.status != 0 && again.output.contains("already holds a journal"), "\(again.output)")

        // Privacy: no client address, and no salt, in either backup.
        for folder in [backup, early] {
            try ServeEndToEndTests.expectNoAddresses([Self.address], in: folder)
            let files = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
            #expect(!files.contains { $0.contains("salt") }, "\(files)")
        }
    }
}
