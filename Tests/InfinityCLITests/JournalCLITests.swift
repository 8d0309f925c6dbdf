import Foundation
import Journal
import Testing

@Suite("infinity generate and infinity journal")
struct JournalCLITests {
    private static let generateArguments = [
        "generate", "--site", "example.com", "--site", "tokyo.example@Asia/Tokyo", "--days", "2", "--hits-per-day",
        "3000",
        "--start", "2026-10-01",
    ]

    @Test("generate, then stat, dump and verify agree on what the journal holds")
    func generateStatDumpVerify() throws {
        let data = TemporaryDirectory()
        let generated = try CLI.run(Self.generateArguments + ["--data", data.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let stat = try CLI.run(["journal", "stat", "--data", data.path, "--format", "json"])
        #expect(stat.status == 0)
        let stats = try cast(JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)), to: [String: Any].self)
        let records = try cast(stats["records"], to: Int.self)
        #expect(records > 11_000 && records < 13_000)
        #expect(try (cast(stats["bytes_per_record"], to: Double.self)) < 24)
        #expect(
            try stats["first_timestamp"] as? String == "2026-09-30T15:00:00.000Z"
                || (cast(stats["first_timestamp"], to: String.self)) >= "2026-09-30T15")

        let dump = try CLI.run(["journal", "dump", "--data", data.path, "--format", "ndjson"])
        #expect(dump.status == 0)
        let lines = dump.stdout.split(separator: "\n")
        #expect(lines.count == records)
        let objects = try lines.map {
            try cast(JSONSerialization.jsonObject(with: Data($0.utf8)), to: [String: Any].self)
        }
        #expect(objects.enumerated().allSatisfy { $0.element["seq"] as? Int == $0.offset })
        #expect(try Set(objects.map { try cast($0["site"], to: String.self) }) == ["example.com", "tokyo.example"])
        #expect(try objects.allSatisfy { (try cast($0["visitor_id"], to: String.self)).count == 12 })

        let limited = try CLI.run([
            "journal", "dump", "--data", data.path, "--from", "100", "--limit", "5", "--format", "ndjson",
        ])
        let seqs = try limited.stdout.split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["seq"] as? Int
        }
        #expect(seqs == [100, 101, 102, 103, 104])

        let table = try CLI.run(["journal", "dump", "--data", data.path, "--limit", "3", "--format", "table"])
        #expect(table.stdout.contains("seq") && table.stdout.contains(".example"))

        let verify = try CLI.run(["journal", "verify", "--data", data.path])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("\(records) records: OK"))
    }

    @Test("the same seed writes byte-identical journals, apart from creation times")
    func deterministic() throws {
        let a = TemporaryDirectory(), b = TemporaryDirectory()
        for data in [a, b] { #expect(try CLI.run(Self.generateArguments + ["--data", data.path]).status == 0) }
        let dumpA = try CLI.run(["journal", "dump", "--data", a.path, "--format", "ndjson"]).stdout
        let dumpB = try CLI.run(["journal", "dump", "--data", b.path, "--format", "ndjson"]).stdout
        #expect(dumpA == dumpB)
        #expect(!dumpA.isEmpty)
    }

    @Test("verify names the file and offset of damage in a sealed segment and exits 1")
    func verifyReportsDamage() throws {
        let data = TemporaryDirectory()
        #expect(try CLI.run(Self.generateArguments + ["--data", data.path]).status == 0)
        let journal = data.path + "/journal"
        let first = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
            .sorted()[0]
        let path = journal + "/" + first
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let offset = bytes.count / 2
        bytes[offset] ^= 0x10
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try bytes.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        let verify = try CLI.run(["journal", "verify", "--data", data.path])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("error: \(path) at byte "))
        #expect(verify.stdout.contains("1 problem found"))
        // Readers refuse to skip it silently.
        let dump = try CLI.run(["journal", "dump", "--data", data.path, "--format", "ndjson"])
        #expect(dump.status != 0)
        #expect(dump.stderr.contains(path))
    }

    @Test(
        "bad journal folders give one clear line and a non-zero exit",
        arguments: ["foreign", "empty", "newer", "missing", "not-a-folder"])
    func badFolders(kind: String) throws {
        let data = TemporaryDirectory()
        let journal = data.path + "/journal"
        var expected: String
        switch kind {
        case "foreign":
            #expect(try CLI.run(Self.generateArguments + ["--data", data.path]).status == 0)
            try "x".write(toFile: journal + "/backup.tar", atomically: true, encoding: .utf8)
            expected = "not a segment: backup.tar"
        case "empty":
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: journal + "/00000000000000000000.seg", contents: Data())
            expected = "is empty (0 bytes)"
        case "newer":
            #expect(try CLI.run(Self.generateArguments + ["--data", data.path]).status == 0)
            let first = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }
                .sorted()[0]
            var bytes = try Data(contentsOf: URL(fileURLWithPath: journal + "/" + first))
            bytes[8] = 7  // format version, little-endian
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: journal + "/" + first)
            try bytes.write(to: URL(fileURLWithPath: journal + "/" + first))
            expected = "format version 7"
        case "missing":
            expected = "no journal folder"
        default:
            try "x".write(toFile: journal, atomically: true, encoding: .utf8)
            expected = "is a file, not a journal folder"
        }
        for command in [["journal", "stat"], ["journal", "dump"]] {
            let result = try CLI.run(command + ["--data", data.path])
            #expect(result.status != 0, "\(command) on \(kind)")
            #expect(result.stderr.contains(expected), "\(command) on \(kind): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        }
        // verify lists damaged segments among its findings (and exits 1); folder-level problems are errors.
        let verify = try CLI.run(["journal", "verify", "--data", data.path])
        #expect(verify.status == 1)
        #expect(
            (verify.stdout + verify.stderr).contains(expected), "verify on \(kind): \(verify.stdout) \(verify.stderr)")
    }

    @Test(
        "wrong flags name the flag and the valid choices",
        arguments: [
            (["generate", "--days", "0"], "--days must be between 1 and 36525"),
            (["generate", "--site", "bad domain!"], "is not a domain"),
            (["generate", "--site", "a.example@Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
            (["generate", "--start", "2026-13-01"], "--start must be a date"),
            (["generate", "--sync", "sometimes"], "block"),
            (["journal", "dump", "--limit=-1"], "--limit must be 0 or more"),
            (["journal", "dump", "--bogus"], "Unknown option '--bogus'"),
            (["journal", "stat", "--format", "xml"], "table"),
            (["serve", "--ack", "sometimes"], "--ack must be durable, written or buffered"),
            (["serve", "--ack", "written", "--clickhouse", "http://127.0.0.1:1"], "use --ack durable"),
        ])
    func wrongFlags(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test(
        "every command's --help explains its flags with an example",
        arguments: [
            ["generate"], ["journal", "stat"], ["journal", "verify"], ["journal", "dump"],
        ])
    func help(command: [String]) throws {
        let result = try CLI.run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"))
        #expect(result.stdout.contains("--data"))
    }
}
