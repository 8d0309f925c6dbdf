import Foundation
import InfinityTestSupport
import Testing

/// `infinity import access-log` while `infinity serve` runs on the same data folder: the server
/// stores the imported hits between live ones, exactly once, whatever stops in between.
@Suite("import beside a running server", .serialized)
struct ImportBesideServeTests {
    static let log = BuiltBinary.fixtures.appendingPathComponent("logs/elastic-apache_logs").path
    static let site = "elastic.example"

    static func importLog(_ data: String, _ file: String = log) throws -> (status: Int32, output: String) {
        try ServerProcess.invoke([
            "import", "access-log", file, "--site", site, "--data", data, "--progress", "none", "--summary", "json",
        ])
    }

    /// Page views per page and visitors per day of the log's days, as `infinity query` answers
    /// (only the page views with `pagesOnly`).
    static func numbers(_ data: String, pagesOnly: Bool = false) throws -> [String] {
        var lines: [String] = []
        for flags in [["--by", "page", "--metrics", "pageviews"], ["--interval", "day", "--metrics", "visitors"]]
        where !pagesOnly || flags.contains("page") {
            let answer = try ServerProcess.invoke(
                ["query", site, "--data", data, "--range", "2015-05-17..2015-05-20", "--format", "csv"] + flags)
            #expect(answer.status == 0, "\(answer.output)")
            lines += answer.output.split(separator: "\n").map(String.init).sorted()
        }
        return lines
    }

    /// The import's JSON summary.
    static func summary(_ output: String) -> [String: Any] {
        output.split(separator: "\n").first { $0.hasPrefix("{") }.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        } ?? [:]
    }

    /// What a clean import of `file` counts, with no server running.
    static func clean(_ file: String = log, pagesOnly: Bool = false) throws -> [String] {
        let data = ServerProcess.temporaryFolder("clean")
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run(["sites", "add", site, "--data", data])
        #expect(try importLog(data, file).status == 0)
        return try numbers(data, pagesOnly: pagesOnly)
    }

    @Test("an import beside serve counts what it counts without one, beside live hits, and a second adds nothing")
    func importBesideServe() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, sites: [Self.site])
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        for _ in 0..<5 { _ = try LiveAdministrationTests.hit(connection, domain: Self.site) }

        let first = try Self.importLog(data)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("infinity serve is running"))
        // The log's page views once its bots are dropped (ua rules infinity-ua/3; 1,586 with /2,
        // which kept a made-up "Windows NT 9.0" scraper and Digg's feed fetcher).
        #expect(Self.summary(first.output)["pageviews"] as? Int == 1549)
        #expect(Self.summary(first.output)["stored_by_server"] as? Bool == true)
        #expect(try Self.numbers(data) == (try Self.clean()))
        #expect(server.log.contains("stored imported hits from the spool"))
        // The metrics are set once the look that stored the batch has ended.
        #expect(
            try LiveAdministrationTests.eventually {
                try ServerProcess.metric("infinity_spool_hits_stored_total", from: connection) == 1549
                    && ServerProcess.metric("infinity_spool_batches_waiting", from: connection) == 0
            })
        let again = try Self.importLog(data)
        #expect(again.status == 0 && Self.summary(again.output)["pageviews"] as? Int == 0, "\(again.output)")
        #expect(try Self.numbers(data) == (try Self.clean()), "the second import added nothing")
        // The live hits sent before are counted too, and the spool is empty.
        let today = try ServerProcess.invoke([
            "query", Self.site, "--data", data, "--range", "today", "--metrics", "pageviews", "--format", "csv",
        ])
        #expect(today.output.split(separator: "\n").last == "5", "\(today.output)")
        let spool = (try? FileManager.default.contentsOfDirectory(atPath: data + "/spool")) ?? []
        #expect(spool.allSatisfy { !$0.hasSuffix(".batch") && !$0.hasSuffix(".tmp") }, "\(spool)")
        #expect(server.stop() == 0)
        // No address of the log reached the disk, the spool included.
        for address in ["83.149.9.216", "24.236.252.67", "93.114.45.13"] {
            let found = try ServerProcess.invoke(["journal", "dump", "--data", data]).output.contains(address)
            #expect(!found)
            #expect(!Self.folderContains(data, address), "\(address) was written under the data folder")
        }
    }

    static func folderContains(_ folder: String, _ text: String) -> Bool {
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return files.contains { name in
            (try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))?.range(of: Data(text.utf8)) != nil
        }
    }

    @Test("serve killed while an import hands it hits: the import stores the rest itself, each hit once")
    func serveKilledDuringImport() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let long = try ImportRun.longLog(Self.log, copies: 12, in: data)
        let server = try ServerProcess(data: data, sites: [Self.site])
        let output = Pipe()
        let process = try ImportRun.start(
            ServerProcess.executable, file: long, site: Self.site, data: data, output: output)
        // Killed once it has stored the first batch, long before the import has read the whole file.
        let deadline = Date().addingTimeInterval(120)
        while !server.log.contains("stored imported hits from the spool") && process.isRunning && Date() < deadline {
            usleep(2_000)
        }
        server.kill()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(
            text.contains("storing the imported hits waiting in the spool in this process"),
            "the server outlived the import: \(text)")
        #expect(try Self.numbers(data) == (try Self.clean(long)))
    }

    @Test("an import killed at a random moment while serve stores its hits, run again, equals one clean import")
    func importKilledBesideServe() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let long = try ImportRun.longLog(Self.log, copies: 12, in: data)
        let server = try ServerProcess(data: data, sites: [Self.site])
        defer { _ = server.stop() }
        var generator = SplitMix(seed: 31)
        let process = try ImportRun.start(ServerProcess.executable, file: long, site: Self.site, data: data)
        ImportRun.waitForFirstLines(process, site: Self.site, data: data)
        usleep(useconds_t(Int.random(in: 0...300_000, using: &generator)))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the import ended before it could be killed")
        let again = try Self.importLog(data, long)
        #expect(again.status == 0, "\(again.output)")
        #expect(try Self.numbers(data) == (try Self.clean(long)))
    }

    @Test("a backup made while an import hands hits to serve restores to each imported line once")
    func backupDuringImport() throws {
        let data = ServerProcess.temporaryFolder()
        let backup = ServerProcess.temporaryFolder("backup")
        let restored = ServerProcess.temporaryFolder("restored") + "/data"
        defer {
            for folder in [data, backup, (restored as NSString).deletingLastPathComponent] {
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        let long = try ImportRun.longLog(Self.log, copies: 12, in: backup)
        let server = try ServerProcess(data: data, sites: [Self.site])
        defer { _ = server.stop() }
        let process = try ImportRun.start(ServerProcess.executable, file: long, site: Self.site, data: data)
        ImportRun.waitForFirstLines(process, site: Self.site, data: data)
        #expect(try ServerProcess.invoke(["backup", "--data", data, "--to", backup + "/copy"]).status == 0)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let restore = try ServerProcess.invoke(["restore", "--from", backup + "/copy", "--data", restored])
        #expect(restore.status == 0, "\(restore.output)")
        // The restored ledger names exactly the lines the restored journal (and spool) hold: the
        // same import completes it, each line once. (Visitors may differ: the import's secret is
        // not in a backup, so visitors that span the backup get a second id.)
        #expect(try Self.importLog(restored, long).status == 0)
        #expect(try Self.numbers(restored, pagesOnly: true) == (try Self.clean(long, pagesOnly: true)))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: restored + "/spool")) ?? []
        #expect(!left.contains { $0.hasSuffix(".batch") }, "\(left)")
    }
}
