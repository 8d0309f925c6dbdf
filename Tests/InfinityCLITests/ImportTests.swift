import Foundation
import Testing

@Suite("infinity import access-log", .serialized)
struct ImportTests {
    static let log = BuiltBinary.fixtures.appendingPathComponent("logs/elastic-apache_logs").path
    static let range = "2015-05-17..2015-05-20"

    /// A data folder with `elastic.example` registered.
    static func folder(_ name: String = #function) throws -> TemporaryDirectory {
        let data = TemporaryDirectory(name)
        let added = try CLI.run(["sites", "add", "elastic.example", "--data", data.path])
        try #require(added.status == 0, "\(added.stderr)")
        return data
    }

    static func importLog(_ data: TemporaryDirectory, _ files: [String] = [log], extra: [String] = []) throws
        -> (status: Int32, summary: [String: Any], stderr: String)
    {
        let run = try CLI.run(
            ["import", "access-log"] + files + [
                "--site", "elastic.example", "--data", data.path, "--summary", "json", "--progress", "none",
            ] + extra)
        let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("{") } ?? ""
        let summary = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        return (run.status, summary, run.stderr)
    }

    /// Page views per page and visitors per day, from `infinity query`.
    static func numbers(_ data: TemporaryDirectory) throws -> (pages: [String: Int], days: [String: Int]) {
        func rows(_ flags: [String]) throws -> [[String: Any]] {
            let run = try CLI.run(
                ["query", "elastic.example", "--data", data.path, "--range", range, "--format", "json"] + flags)
            try #require(run.status == 0, "\(run.stderr)")
            let object = try cast(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)), to: [String: Any].self)
            return try cast(object["results"], to: [[String: Any]].self)
        }
        var pages: [String: Int] = [:]
        for row in try rows(["--by", "page", "--metrics", "pageviews"]) {
            pages[(try cast(row["dimensions"], to: [String].self))[0]] = try row["metrics"].flatMap {
                (try cast($0, to: [Int].self)).first
            }
        }
        var days: [String: Int] = [:]
        for row in try rows(["--interval", "day", "--metrics", "visitors"]) {
            days[(try cast(row["dimensions"], to: [String].self))[0]] = (try cast(row["metrics"], to: [Int].self))[0]
        }
        return (pages, days)
    }

    @Test("the summary, top pages and daily visitors equal an independent count of the real log")
    func countsMatchAnIndependentCount() throws {
        let data = try Self.folder()
        let result = try Self.importLog(data)
        #expect(result.status == 0, "\(result.stderr)")
        let counter = Process()
        counter.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        counter.arguments = [
            "python3",
            BuiltBinary.packageRoot.appendingPathComponent("Tests/InfinityCLITests/Oracle/count_log.py").path,
            Self.log, BuiltBinary.infinity.path,
        ]
        let out = Pipe()
        counter.standardOutput = out
        try counter.run()
        let counted =
            try cast(
                JSONSerialization.jsonObject(with: out.fileHandleForReading.readDataToEndOfFile()),
                to: [String: Any].self)
        counter.waitUntilExit()
        #expect(result.summary["lines"] as? Int == 10_000)
        #expect(result.summary["lines"] as? Int == counted["lines"] as? Int)
        #expect(result.summary["pageviews"] as? Int == counted["pageviews"] as? Int)
        let ours = try cast(result.summary["skipped"], to: [String: Int].self)
        for (reason, count) in try cast(counted["skipped"], to: [String: Int].self) {
            #expect(ours[reason] == count, "\(reason)")
        }
        #expect(ours["spam"] == 0 && ours["invalid"] == 0 && ours["already-imported"] == 0)
        #expect(result.summary["malformed_lines"] as? [Int] == [8899])

        let numbers = try Self.numbers(data)
        #expect(try numbers.pages == cast(counted["pages"], to: [String: Int].self))
        #expect(try numbers.days == cast(counted["daily_visitors"], to: [String: Int].self))
        // Imported hits are marked as such, and queries can leave them out.
        let live = try CLI.run([
            "query", "elastic.example", "--data", data.path, "--range", Self.range, "--no-imported", "--metrics",
            "pageviews", "--format", "csv",
        ])
        #expect(live.stdout.split(separator: "\n").last == "0")
        // No client address reached the disk.
        let addresses = ["83.149.9.216", "46.118.127.106"]
        let files = FileManager.default.enumerator(atPath: data.path)!.compactMap { $0 as? String }
        for file in files {
            guard let bytes = FileManager.default.contents(atPath: data.path + "/" + file) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            for address in addresses { #expect(!text.contains(address), "\(address) in \(file)") }
        }
    }

    @Test("countries come from the database infinity ships, as serve's do, unless --geoip none")
    func countriesFromTheShippedDatabase() throws {
        func countries(_ extra: [String]) throws -> [String: Int] {
            let data = try Self.folder("countries")
            #expect(try Self.importLog(data, extra: extra).status == 0)
            let run = try CLI.run([
                "query", "elastic.example", "--data", data.path, "--range", Self.range, "--by", "country",
                "--metrics", "pageviews", "--format", "json",
            ])
            let results =
                (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["results"]
                as? [[String: Any]] ?? []
            var counts: [String: Int] = [:]
            for row in results {
                counts[(row["dimensions"] as? [String])?.first ?? "?"] = (row["metrics"] as? [Int])?.first
            }
            return counts
        }
        let shipped = try countries([])
        // The log's visitors come from dozens of countries, the United States first.
        #expect(shipped.max { $0.value < $1.value }?.key == "US", "\(shipped)")
        #expect(shipped.keys.filter { $0.count == 2 }.count >= 20, "\(shipped)")
        let none = try countries(["--geoip", "none"])
        #expect(none["US"] == nil && none.values.reduce(0, +) == shipped.values.reduce(0, +), "\(none)")
    }

    @Test("a second import of the same site while one runs is refused, saying so; after it, it imports the rest")
    func oneImportPerSiteAtATime() throws {
        let data = try Self.folder()
        // The first import reads standard input that stays open, so it runs until the test ends it.
        let first = Process()
        first.executableURL = CLI.executable
        first.arguments = [
            "import", "access-log", "-", "--site", "elastic.example", "--data", data.path, "--progress", "none",
        ]
        let input = Pipe()
        first.standardInput = input
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        let lock = data.path + "/imports/elastic.example.lock"
        func held() -> Bool {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            probe.arguments = ["-n", lock, "-c", "true"]
            guard FileManager.default.fileExists(atPath: lock), (try? probe.run()) != nil else { return false }
            probe.waitUntilExit()
            return probe.terminationStatus != 0
        }
        let deadline = Date().addingTimeInterval(60)
        while !held() && first.isRunning && Date() < deadline { usleep(10_000) }
        let second = try Self.importLog(data)
        #expect(second.status != 0)
        #expect(second.stderr.contains("another import of elastic.example is running"), "\(second.stderr)")
        input.fileHandleForWriting.write(Data("garbage that is not a log line\n".utf8))
        try input.fileHandleForWriting.close()
        first.waitUntilExit()
        let third = try Self.importLog(data)
        #expect(third.status == 0, "\(third.stderr)")
        // The log's page views once its bots are dropped (ua rules infinity-ua/3; 1,586 with /2,
        // which kept a made-up "Windows NT 9.0" scraper and Digg's feed fetcher).
        #expect(third.summary["pageviews"] as? Int == 1549)
    }

    @Test("a backup made while an import runs restores to each imported line once, once the import is run again")
    func backupDuringImport() throws {
        let data = try Self.folder()
        let long = try ImportRun.longLog(Self.log, copies: 12, in: data.path)
        let clean = try Self.folder("clean")
        #expect(try Self.importLog(clean, [long]).status == 0)
        let process = try ImportRun.start(CLI.executable, file: long, site: "elastic.example", data: data.path)
        ImportRun.waitForFirstLines(process, site: "elastic.example", data: data.path)
        let backup = data.path + "/backup"
        let made = try CLI.run(["backup", "--data", data.path, "--to", backup])
        #expect(made.status == 0, "\(made.stderr)")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let restored = TemporaryDirectory("restored")
        let restore = try CLI.run(["restore", "--from", backup, "--data", restored.path])
        #expect(restore.status == 0, "\(restore.stderr)")
        // The backup's ledger names exactly the lines its journal holds: the same import completes
        // it. (Visitors may differ: the import's secret is not in a backup.)
        #expect(try Self.importLog(restored, [long]).status == 0)
        #expect(try Self.numbers(restored).pages == (try Self.numbers(clean)).pages)
    }

    @Test("importing the same file twice, or a .gz copy, adds nothing")
    func importingTwiceAddsNothing() throws {
        let data = try Self.folder()
        #expect(try Self.importLog(data).status == 0)
        let before = try Self.numbers(data)
        let again = try Self.importLog(data)
        #expect(again.status == 0)
        #expect(again.summary["pageviews"] as? Int == 0)
        // Every line that was decided is in already; the one malformed line is reported again.
        #expect(try (cast(again.summary["skipped"], to: [String: Int].self))["already-imported"] == 9_999)
        #expect(again.summary["malformed_lines"] as? [Int] == [8899])
        let gz = data.path + "/copy.log.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(Self.log)' > '\(gz)'"]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(try Self.importLog(data, [gz]).summary["pageviews"] as? Int == 0)
        // The same log after it grew and was rotated, and a concatenation of it with a new log:
        // only lines not imported before count.
        let original = try String(contentsOfFile: Self.log, encoding: .utf8)
        func line(_ path: String) -> String {
            #"203.0.113.7 - - [20/May/2015:23:10:00 +0000] "GET \#(path) HTTP/1.1" 200 10 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/38.0""#
        }
        let rotated = data.path + "/access.log.1"
        try (original + line("/grown") + "\n").write(toFile: rotated, atomically: true, encoding: .utf8)
        #expect(try Self.importLog(data, [rotated]).summary["pageviews"] as? Int == 1)
        let concatenated = data.path + "/all.log"
        try (original + line("/grown") + "\n" + line("/next-file") + "\n").write(
            toFile: concatenated, atomically: true, encoding: .utf8)
        let both = try Self.importLog(data, [concatenated])
        #expect(both.summary["pageviews"] as? Int == 1, "\(both.summary)")
        let after = try Self.numbers(data)
        var expected = before.pages
        expected["/grown"] = 1
        expected["/next-file"] = 1
        #expect(after.pages == expected)
    }

    @Test("an import interrupted at a random line and run again equals one clean run")
    func interruptedImportResumes() throws {
        let clean = try Self.folder("clean")
        #expect(try Self.importLog(clean).status == 0)
        let cleanNumbers = try Self.numbers(clean)
        var generator = SplitMix(seed: 77)
        for _ in 0..<2 {
            let stopAt = Int.random(in: 1...9_999, using: &generator)
            let data = try Self.folder("interrupted")
            let first = try Self.importLog(data, extra: ["--stop-after-lines", "\(stopAt)"])
            #expect(first.status == 130, "stopped at \(stopAt): \(first.stderr)")
            let second = try Self.importLog(data)
            #expect(second.status == 0)
            #expect(try Self.numbers(data) == cleanNumbers, "interrupted at line \(stopAt)")
            // The import's secret is kept for its 48 hours, readable by no one else.
            let secret = try FileManager.default.attributesOfItem(atPath: data.path + "/imports/elastic.example.salts")
            #expect((secret[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        // A real crash: SIGKILL while the import is writing (after its first commit, at a random
        // moment), then the same command again. The log repeated 20 times is 20 times its hits
        // (each copy of a line is its own line), so there is time to kill it.
        let data = try Self.folder("killed")
        let long = try ImportRun.longLog(Self.log, copies: 20, in: data.path)
        let cleanLong = try Self.folder("cleanLong")
        #expect(try Self.importLog(cleanLong, [long]).status == 0)
        let process = try ImportRun.start(CLI.executable, file: long, site: "elastic.example", data: data.path)
        ImportRun.waitForFirstLines(process, site: "elastic.example", data: data.path)
        usleep(useconds_t(Int.random(in: 0...100_000, using: &generator)))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the import ended before it could be killed")
        #expect(try Self.importLog(data, [long]).status == 0)
        #expect(try Self.numbers(data) == (try Self.numbers(cleanLong)))
    }

    @Test(".gz logs are read in-process: several members in one file, and a cut file named as such")
    func gzipFiles() throws {
        let data = try Self.folder()
        let gz = data.path + "/one.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(Self.log)' > '\(gz)' && cat '\(gz)' '\(gz)' > '\(data.path)/two.gz'"]
        try gzip.run()
        gzip.waitUntilExit()
        let two = try Self.importLog(data, [data.path + "/two.gz"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.summary["lines"] as? Int == 20_000)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gz))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: data.path + "/cut.gz"))
        let cut = try Self.importLog(try Self.folder("cut"), [data.path + "/cut.gz"])
        #expect(cut.status != 0)
        #expect(cut.stderr.contains("ends in the middle of its data") && cut.stderr.contains("cut.gz"), "\(cut.stderr)")
    }

    @Test("a copy cut in the middle of line 5,000, then the whole log, equals one clean import")
    func cutCopyThenWholeLog() throws {
        let clean = try Self.folder("clean")
        #expect(try Self.importLog(clean).status == 0)
        let data = try Self.folder()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.log))
        var newlines = 0
        let cut =
            try #require(
                bytes.firstIndex { byte in
                    if byte == UInt8(ascii: "\n") { newlines += 1 }
                    return newlines == 4_999
                }) + 40  // 40 bytes into line 5,000
        let part = data.path + "/part.log"
        try bytes.prefix(cut).write(to: URL(fileURLWithPath: part))
        let first = try Self.importLog(data, [part])
        #expect(first.status == 0, "\(first.stderr)")
        #expect((first.summary["skipped"] as? [String: Int])?["incomplete"] == 1)
        #expect(try Self.importLog(data).status == 0)
        #expect(try Self.numbers(data) == (try Self.numbers(clean)))
    }

    @Test("the wrong --format stops with a clear error and records nothing; the right one then imports everything")
    func wrongFormatThenRight() throws {
        let clean = try Self.folder("clean")
        #expect(try Self.importLog(clean).status == 0)
        let data = try Self.folder()
        let wrong = try Self.importLog(data, extra: ["--format", "caddy-json"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("are not caddy-json log lines") && wrong.stderr.contains("--format"))
        #expect(wrong.stderr.split(separator: "\n").count == 1, "\(wrong.stderr)")
        let right = try Self.importLog(data, extra: ["--format", "combined"])
        #expect(right.status == 0, "\(right.stderr)")
        #expect((right.summary["skipped"] as? [String: Int])?["already-imported"] == 0)
        #expect(try Self.numbers(data) == (try Self.numbers(clean)))
    }

    @Test("bad input: a clear error for binary or foreign files; long and broken lines are skipped, the rest imported")
    func badInput() throws {
        let data = try Self.folder()
        let binary = data.path + "/binary.log"
        try Data([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2, 3] + Array(repeating: UInt8(0), count: 100)).write(
            to: URL(fileURLWithPath: binary))
        let binaryRun = try Self.importLog(data, [binary])
        #expect(binaryRun.status != 0)
        #expect(binaryRun.stderr.contains("not a text access log") && binaryRun.stderr.contains("binary.log"))

        let foreign = data.path + "/poem.txt"
        try "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate.\n".write(
            toFile: foreign, atomically: true, encoding: .utf8)
        let foreignRun = try Self.importLog(data, [foreign])
        #expect(foreignRun.status != 0)
        #expect(
            foreignRun.stderr.contains("not an access log in a known format") && foreignRun.stderr.contains("summer"))

        let good =
            #"198.51.100.1 - - [18/May/2015:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/38.0""#
        let mixed = data.path + "/mixed.log"
        let huge = String(repeating: "x", count: 1_100_000)
        let text = [
            good, good.replacingOccurrences(of: "/a ", with: "/b "), huge, "garbage line",
            good.replacingOccurrences(of: "/a ", with: "/c "),
        ].enumerated().map { index, line in
            line + (index % 2 == 0 ? "\r\n" : "\n")
        }.joined()
        try text.write(toFile: mixed, atomically: true, encoding: .utf8)
        let mixedRun = try Self.importLog(data, [mixed])
        #expect(mixedRun.status == 0, "\(mixedRun.stderr)")
        #expect(mixedRun.summary["pageviews"] as? Int == 3)
        #expect(mixedRun.summary["malformed_lines"] as? [Int] == [3, 4])
        let pages = try Self.numbers(data).pages
        #expect(pages == ["/a": 1, "/b": 1, "/c": 1])
    }
}

@Suite("any length of history", .serialized)
struct LongHistoryTests {
    static func total(_ data: TemporaryDirectory, _ flags: [String]) throws -> (Int, CLI.Output) {
        let run = try CLI.run(
            ["query", "elastic.example", "--data", data.path, "--metrics", "pageviews", "--format", "json"] + flags)
        let json = (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any]
        let totals = (json?["totals"] as? [String: Any])?["metrics"] as? [Double]
        return (Int(totals?.first ?? -1), run)
    }

    @Test("--range all answers over eleven years (a 2015 log and this week), before and after the rollups exist")
    func allTimeAnswersForAnySpan() throws {
        let data = try ImportTests.folder()
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "elastic.example", "--days", "3", "--hits-per-day", "500",
            "--sync", "none",
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        // Before any rollup exists, all time starts at the journal's first record, not today.
        let (recent, early) = try Self.total(data, ["--range", "all"])
        #expect(early.status == 0, "\(early.stderr)")
        let (week, _) = try Self.total(data, ["--range", "7d"])
        #expect(recent == week && recent > 1000)

        let imported = try ImportTests.importLog(data)
        #expect(imported.status == 0, "\(imported.stderr)")
        let pageviews = try #require(imported.summary["pageviews"] as? Int)
        let (all, run) = try Self.total(data, ["--range", "all"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(all == week + pageviews)
        // A series over all time in months; hours over eleven years are refused with a way out.
        let months = try CLI.run([
            "query", "elastic.example", "--data", data.path, "--range", "all", "--interval", "month", "--format", "csv",
        ])
        #expect(months.status == 0, "\(months.stderr)")
        #expect(months.stdout.split(separator: "\n").count > 130)
        let hours = try CLI.run([
            "query", "elastic.example", "--data", data.path, "--range", "all", "--interval", "hour",
        ])
        #expect(hours.status != 0)
        #expect(hours.stderr.contains("time buckets") && hours.stderr.contains("month"), "\(hours.stderr)")
        // The overview shows all time by month.
        let overview = try CLI.run(["query", "elastic.example", "--data", data.path, "--range", "all"])
        #expect(overview.status == 0, "\(overview.stderr)")
        #expect(overview.stdout.contains("Visitors per month"))
    }
}
