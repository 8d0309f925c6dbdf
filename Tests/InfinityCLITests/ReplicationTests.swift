import Foundation
import Testing

/// `infinity replicate` against a real ClickHouse: every journal record once, whatever is killed.
@Suite("replication into ClickHouse")
struct ReplicationTests {
    /// A journal of two sites over three days; returns its record count.
    static func journal(_ data: TemporaryDirectory, hitsPerDay: Int = 4000) throws -> Int {
        for site in ["example.com", "shop.example"] { _ = try CLI.run(["sites", "add", site, "--data", data.path]) }
        let run = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--site", "shop.example", "--days", "3",
            "--hits-per-day", "\(hitsPerDay)", "--start", "2026-10-30", "--sync", "none", "--progress", "none",
        ])
        try #require(run.status == 0, "\(run.stderr)")
        let stat = try CLI.run(["journal", "stat", "--data", data.path, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)) as? [String: Any]
        return try #require(object?["records"] as? Int)
    }

    /// Rows for `node`: count, distinct sequence numbers, smallest and largest.
    static func rows(_ server: ClickHouseServer, _ database: String, node: String = "n1") async throws -> [Int] {
        let text = try await server.query(
            "SELECT count(), uniqExact(sequence), min(sequence), max(sequence) FROM \(database).infinity_hits_v1 WHERE node = '\(node)'"
        )
        return text.split(separator: "\t").compactMap { Int($0) }
    }

    static func replicate(
        _ data: TemporaryDirectory, _ server: ClickHouseServer, _ database: String, extra: [String] = []
    ) throws -> CLI.Output {
        try CLI.run(
            [
                "replicate", "--data", data.path, "--clickhouse", server.url, "--database", database, "--node", "n1",
                "--once",
            ] + extra)
    }

    @Test("a deleted site's rows leave ClickHouse, and a replica made later holds only empty placeholders of them")
    func deletedSiteLeavesClickHouse() async throws {
        let server = try ClickHouseServer.shared()
        let database = "t_\(UUID().uuidString.prefix(8).lowercased())"
        let data = TemporaryDirectory()
        let records = try Self.journal(data, hitsPerDay: 500)
        let first = try Self.replicate(data, server, database, extra: ["--batch-records", "100"])
        #expect(first.status == 0, "\(first.stderr)")
        func count(_ site: String, in database: String = database) async throws -> Int {
            Int(
                try await server.query("SELECT count() FROM \(database).infinity_hits_v1 WHERE site = '\(site)'")
                    .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let shop = try await count("shop.example")
        #expect(shop > 100)
        let deleted = try CLI.run(["sites", "remove", "shop.example", "--delete-data", "--data", data.path])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let second = try Self.replicate(data, server, database)
        #expect(
            second.status == 0 && second.stdout.contains("Deleted \(shop) rows of deleted site shop.example"),
            "\(second.stdout)")
        #expect(try await count("shop.example") == 0)
        #expect(try await count("example.com") == records - shop)
        // A replica made after the deletion: every sequence number once, none of the site's values.
        let fresh = database + "_after"
        #expect(try Self.replicate(data, server, fresh).status == 0)
        let (named, placeholders) = (try await count("shop.example", in: fresh), try await count("", in: fresh))
        #expect(named == 0 && placeholders == shop)
        #expect(try await Self.rows(server, fresh) == [records, records, 0, records - 1])
    }

    @Test("every record once, with the values journal dump shows; a second run adds nothing")
    func copiesEveryRecordOnce() async throws {
        let server = try ClickHouseServer.shared()
        let database = "t_\(UUID().uuidString.prefix(8).lowercased())"
        let data = TemporaryDirectory()
        let records = try Self.journal(data)
        let first = try Self.replicate(data, server, database)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Replicated \(records) records"), "\(first.stdout)")
        #expect(try await Self.rows(server, database) == [records, records, 0, records - 1])
        // Page views per site and path: the same in ClickHouse as in the journal's own dump.
        let dump = try CLI.run(["journal", "dump", "--data", data.path, "--format", "ndjson", "--limit", "1000000"])
        var expected: [String: Int] = [:]
        for line in dump.stdout.split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let key =
                "\(record?["site"] as? String ?? "")\t\(record?["pathname"] as? String ?? "")\t\(record?["country"] as? String ?? "")"
            expected[key, default: 0] += 1
        }
        var replicated: [String: Int] = [:]
        let text = try await server.query(
            "SELECT site, pathname, country, count() FROM \(database).infinity_hits_v1 GROUP BY site, pathname, country"
        )
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            replicated[fields.prefix(3).joined(separator: "\t")] = Int(fields[3])
        }
        #expect(replicated == expected)
        let again = try Self.replicate(data, server, database)
        #expect(again.stdout.contains("Replicated 0 records"), "\(again.stdout)")
        #expect(try await Self.rows(server, database) == [records, records, 0, records - 1])
        // No client address and no user agent in the schema, as in the journal.
        let columns = try await server.query("SELECT name FROM system.columns WHERE database = '\(database)'")
        #expect(!columns.contains("ip") && !columns.contains("agent") && !columns.contains("address"), "\(columns)")
        _ = try await server.query("DROP DATABASE \(database)")
    }

    @Test("the replicator killed at five random points, then run to the end: every record exactly once")
    func replicatorKilledAtRandomPoints() async throws {
        let server = try ClickHouseServer.shared()
        let database = "t_\(UUID().uuidString.prefix(8).lowercased())"
        let data = TemporaryDirectory()
        let records = try Self.journal(data, hitsPerDay: 30_000)
        var random = SplitMix(seed: 16)
        var killedWhileWorking = 0
        for _ in 0..<5 {
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = [
                "replicate", "--data", data.path, "--clickhouse", server.url, "--database", database, "--node", "n1",
                "--once", "--batch-records", "2000",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 100_000...900_000, using: &random))  // a random moment to crash at
            if process.isRunning { killedWhileWorking += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let partial = try await Self.rows(server, database)
            #expect(partial.count == 4 && partial[0] == partial[1], "a row is there twice: \(partial)")
            #expect(partial[0] == 0 || partial[3] == partial[0] - 1, "a gap: \(partial)")
        }
        #expect(killedWhileWorking > 0, "no kill landed while the replicator worked")
        let last = try Self.replicate(data, server, database, extra: ["--batch-records", "2000"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try await Self.rows(server, database) == [records, records, 0, records - 1])
        _ = try await server.query("DROP DATABASE \(database)")
    }

    @Test("ClickHouse killed while records arrive, started again: the next run leaves every record exactly once")
    func clickHouseKilledMidway() async throws {
        let server = try ClickHouseServer.own(port: 18_223)
        defer { server.stop() }
        let data = TemporaryDirectory()
        let records = try Self.journal(data, hitsPerDay: 30_000)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = [
            "replicate", "--data", data.path, "--clickhouse", server.url, "--node", "n1", "--once", "--batch-records",
            "2000",
        ]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var random = SplitMix(seed: 17)
        usleep(UInt32.random(in: 300_000...800_000, using: &random))
        try server.kill()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0, "ClickHouse died after the replicator finished: nothing was tested")
        #expect(message.contains("ClickHouse"), "\(message)")
        try server.start()
        let last = try CLI.run(["replicate", "--data", data.path, "--clickhouse", server.url, "--node", "n1", "--once"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try await Self.rows(server, "infinity") == [records, records, 0, records - 1])
    }

    @Test("a wrong address and an unreachable server each get one clear message and a non-zero exit")
    func badAddresses() throws {
        let data = TemporaryDirectory()
        _ = try Self.journal(data, hitsPerDay: 10)
        let wrong = try CLI.run(["replicate", "--data", data.path, "--clickhouse", "clickhouse:8123", "--once"])
        #expect(wrong.status != 0 && wrong.stderr.contains("not a ClickHouse HTTP address"), "\(wrong.stderr)")
        let away = try CLI.run(["replicate", "--data", data.path, "--clickhouse", "http://127.0.0.1:1", "--once"])
        #expect(away.status != 0 && away.stderr.contains("cannot reach ClickHouse"), "\(away.stderr)")
    }

    @Test("a wrong user, and a table of the same name with other columns, are refused with what to do")
    func wrongUserAndForeignTable() async throws {
        let server = try ClickHouseServer.shared()
        let data = TemporaryDirectory()
        _ = try Self.journal(data, hitsPerDay: 10)
        let host = server.url.replacingOccurrences(of: "http://", with: "")
        let user = try CLI.run([
            "replicate", "--data", data.path, "--clickhouse", "http://nobody:wrong@\(host)", "--once",
        ])
        #expect(user.status != 0 && user.stderr.contains("refused the user or password"), "\(user.stderr)")
        let database = "t_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await server.query("CREATE DATABASE \(database)")
        _ = try await server.query(
            "CREATE TABLE \(database).infinity_hits_v1 (node String, sequence UInt64, date Date) ENGINE = MergeTree() PARTITION BY toYYYYMM(date) ORDER BY sequence"
        )
        let foreign = try Self.replicate(data, server, database)
        #expect(foreign.status != 0 && foreign.stderr.contains("Drop that table"), "\(foreign.stderr)")
        _ = try await server.query("DROP DATABASE \(database)")
    }
}
