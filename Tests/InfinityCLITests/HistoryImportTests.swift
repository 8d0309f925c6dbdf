import Foundation
import Testing

/// `infinity import plausible|analytics`: another tool's daily numbers, kept beside the journal and
/// added to answers exactly once, where they can answer.
@Suite("importing history from Plausible and Google Analytics")
struct HistoryImportTests {
    static let site = "shop.example"
    static let range = "2026-10-01..2026-10-06"

    /// A data folder with the site registered in New York's zone, and `days` generated from `start`.
    static func folder(days: Int = 0, start: String = "2026-10-01", seed: Int = 42) throws -> TemporaryDirectory {
        let data = TemporaryDirectory()
        let added = try CLI.run(["sites", "add", site, "--timezone", "America/New_York", "--data", data.path])
        try #require(added.status == 0, "\(added.stderr)")
        if days > 0 {
            let generated = try CLI.run([
                "generate", "--data", data.path, "--site", site + "@America/New_York", "--days", "\(days)",
                "--hits-per-day", "700", "--start", start, "--seed", "\(seed)", "--sync", "none", "--progress", "none",
            ])
            try #require(generated.status == 0, "\(generated.stderr)")
            let rebuilt = try CLI.run(["rebuild", "--data", data.path])
            try #require(rebuilt.status == 0, "\(rebuilt.stderr)")
        }
        return data
    }

    /// Plausible's CSV export of `range` from `data`.
    static func export(_ data: TemporaryDirectory, range: String = range, name: String = "export.zip") throws -> String
    {
        let zip = data.path + "/" + name
        let run = try CLI.run([
            "export", site, "--data", data.path, "--range", range, "--format", "plausible-csv", "--output", zip,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        return zip
    }

    /// The JSON answer of `infinity query` with `arguments`.
    static func answer(_ data: TemporaryDirectory, _ arguments: [String], range: String = range) throws -> [String: Any]
    {
        let run = try CLI.run(
            ["query", site, "--data", data.path, "--range", range, "--format", "json", "--limit", "1000"] + arguments)
        try #require(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// Rows as `label → metrics` (the totals under ""), durations to whole seconds, rates to 0.01.
    static func rows(_ answer: [String: Any], durationAt: Int? = nil) -> [String: [Double]] {
        func numbers(_ row: [String: Any]) -> [Double] {
            ((row["metrics"] as? [Any]) ?? []).enumerated().map { index, value in
                let number = (value as? NSNumber)?.doubleValue ?? -1
                return index == durationAt ? number.rounded() : (number * 100).rounded() / 100
            }
        }
        var result: [String: [Double]] = [:]
        for row in (answer["results"] as? [[String: Any]]) ?? [] {
            result[((row["dimensions"] as? [String]) ?? []).joined(separator: "|")] = numbers(row)
        }
        if let totals = answer["totals"] as? [String: Any] { result[""] = numbers(totals) }
        return result
    }

    /// Rows that differ, beyond a second of mean duration (the export keeps whole seconds).
    static func differences(_ got: [String: [Double]], _ expected: [String: [Double]], durationAt: Int?) -> [String] {
        Set(got.keys).union(expected.keys).sorted().compactMap { key in
            guard let a = got[key], let b = expected[key], a.count == b.count else {
                return "\(key): \(got[key] ?? []) ≠ \(expected[key] ?? [])"
            }
            let same = zip(a, b).enumerated().allSatisfy { index, pair in
                index == durationAt ? abs(pair.0 - pair.1) <= 1 : pair.0 == pair.1
            }
            return same ? nil : "\(key): \(a) ≠ \(b)"
        }
    }

    static func meta(_ answer: [String: Any]) -> [String: Any] { (answer["meta"] as? [String: Any]) ?? [:] }

    /// The questions an export can answer again, each with the position of its duration, if any.
    static let questions: [([String], Int?)] = [
        (["--metrics", "visitors,visits,pageviews,bounce_rate,visit_duration,events"], 4),
        (["--interval", "day", "--metrics", "visitors,visits,pageviews,bounce_rate"], nil),
        (["--interval", "week", "--metrics", "visitors,pageviews"], nil),
    ]
    static let breakdowns = [
        "source", "entry_page", "exit_page", "country", "device", "browser_version", "os_version",
    ]

    @Test("a Plausible export imported into an empty data folder answers as the site itself did")
    func plausibleRoundTrip() throws {
        let source = try Self.folder(days: 6)
        let zip = try Self.export(source)
        let target = try Self.folder()
        let run = try CLI.run(["import", "plausible", zip, "--site", Self.site, "--data", target.path])
        #expect(run.status == 0 && run.stdout.contains("as import 1"), "\(run.stdout)\(run.stderr)")

        var questions = Self.questions
        for dimension in Self.breakdowns {
            questions.append(
                (["--by", dimension, "--metrics", "visitors,visits,pageviews,bounce_rate,visit_duration"], 4))
        }
        questions.append((["--by", "page", "--metrics", "visitors,visits,pageviews"], nil))
        questions.append((["--by", "goal", "--metrics", "visitors,events"], nil))
        // A filter on one dimension, with and without a breakdown by it.
        questions.append((["--filter", "country==US", "--metrics", "visitors,visits,pageviews,bounce_rate"], nil))
        questions.append((["--filter", "device!=Desktop", "--by", "device", "--metrics", "visitors,visits"], nil))
        for (arguments, durationAt) in questions {
            let own = try Self.answer(source, arguments)
            let imported = try Self.answer(target, arguments)
            let expected = Self.rows(own, durationAt: durationAt)
            #expect(expected.count > 1 || !arguments.contains("--by"), "\(arguments)")
            let differences = Self.differences(
                Self.rows(imported, durationAt: durationAt), expected, durationAt: durationAt)
            #expect(differences.isEmpty, "\(arguments): \(differences.prefix(5))")
            #expect(Self.meta(imported)["imports_included"] as? Bool == true, "\(arguments)")
        }
        // A filter matching several pages: each page's numbers as they were, the total summed over
        // them (a visitor of two counts twice), which the answer says.
        let blog = ["--filter", "page~=/blog", "--by", "page", "--metrics", "visitors,pageviews"]
        var ownBlog = Self.rows(try Self.answer(source, blog))
        let importedBlog = try Self.answer(target, blog)
        var gotBlog = Self.rows(importedBlog)
        #expect(gotBlog[""]?[1] == ownBlog[""]?[1] && (gotBlog[""]?[0] ?? 0) > (ownBlog[""]?[0] ?? 0))
        ownBlog[""] = nil
        gotBlog[""] = nil
        #expect(ownBlog.count > 10 && Self.differences(gotBlog, ownBlog, durationAt: nil).isEmpty)
        #expect(
            ((Self.meta(importedBlog)["warnings"] as? [String]) ?? []).contains { $0.contains("counts once for each") })

        // Left out on request, and where the tables cannot answer, with a note that says why.
        let excluded = try Self.answer(target, ["--no-imported", "--metrics", "visitors"])
        #expect(Self.rows(excluded)[""] == [0] && Self.meta(excluded)["imports_included"] as? Bool == false)
        let combined = try Self.answer(target, ["--filter", "page==/", "--by", "source", "--metrics", "visitors"])
        #expect(Self.rows(combined)[""] == [0])
        let notes = (Self.meta(combined)["warnings"] as? [String]) ?? []
        #expect(notes.contains { $0.hasPrefix("imported days are left out") && $0.contains("one dimension at a time") })
        let hourly = try Self.answer(
            target, ["--interval", "hour", "--metrics", "visitors"], range: "2026-10-02..2026-10-02")
        #expect(((Self.meta(hourly)["warnings"] as? [String]) ?? []).contains { $0.contains("they have no hours") })
    }

    @Test("the same export again adds nothing; an overlapping one is refused until the first is removed")
    func exactlyOnce() throws {
        let source = try Self.folder(days: 8)
        let first = try Self.export(source)
        let second = try Self.export(source, range: "2026-10-04..2026-10-08", name: "later.zip")
        let target = try Self.folder()
        let totals = ["--metrics", "visitors,pageviews"]
        _ = try CLI.run(["import", "plausible", first, "--site", Self.site, "--data", target.path])
        let once = Self.rows(try Self.answer(target, totals))
        let again = try CLI.run(["import", "plausible", first, "--site", Self.site, "--data", target.path])
        #expect(again.status == 0 && again.stdout.contains("imported already, as import 1"), "\(again.stdout)")
        #expect(Self.rows(try Self.answer(target, totals)) == once)
        #expect(once == Self.rows(try Self.answer(source, totals)))

        let overlapping = try CLI.run(["import", "plausible", second, "--site", Self.site, "--data", target.path])
        #expect(overlapping.status == 1 && overlapping.stderr.contains("overlaps import 1"), "\(overlapping.stderr)")
        #expect(Self.rows(try Self.answer(target, totals)) == once)
        // The advice works: remove the first, then the second imports.
        let advice = "infinity import remove \(Self.site) 1"
        #expect(overlapping.stderr.contains(advice))
        let removed = try CLI.run(["import", "remove", Self.site, "1", "--data", target.path])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(Self.rows(try Self.answer(target, totals))[""] == [0, 0])
        let retried = try CLI.run(["import", "plausible", second, "--site", Self.site, "--data", target.path])
        #expect(retried.status == 0, "\(retried.stderr)")
        let later = "2026-10-04..2026-10-08"
        #expect(
            Self.rows(try Self.answer(target, totals, range: later))
                == Self.rows(try Self.answer(source, totals, range: later)))
        let listed = try CLI.run(["import", "list", Self.site, "--data", target.path])
        #expect(listed.stdout.contains("later.zip") && !listed.stdout.contains("export.zip"), "\(listed.stdout)")
    }

    @Test("days on which the site already has hits keep their own numbers")
    func ownDaysWin() throws {
        let source = try Self.folder(days: 6)
        let zip = try Self.export(source)
        // The target already counted the last two days itself (other traffic).
        let target = try Self.folder(days: 2, start: "2026-10-05", seed: 7)
        let own = Self.rows(
            try Self.answer(target, ["--metrics", "visitors,pageviews"], range: "2026-10-05..2026-10-06"))
        let run = try CLI.run(["import", "plausible", zip, "--site", Self.site, "--data", target.path])
        #expect(run.status == 0 && run.stdout.contains("Left out 2 days"), "\(run.stdout)\(run.stderr)")
        let earlier = "2026-10-01..2026-10-04"
        #expect(
            Self.rows(try Self.answer(target, ["--metrics", "visitors,pageviews"], range: earlier))
                == Self.rows(try Self.answer(source, ["--metrics", "visitors,pageviews"], range: earlier)))
        #expect(
            Self.rows(try Self.answer(target, ["--metrics", "visitors,pageviews"], range: "2026-10-05..2026-10-06"))
                == own)
    }

    @Test("a damaged import is left out with a note, the site stays up, and importing again mends it")
    func damagedImport() throws {
        let source = try Self.folder(days: 3)
        let zip = try Self.export(source, range: "2026-10-01..2026-10-03")
        let target = try Self.folder()
        _ = try CLI.run(["import", "plausible", zip, "--site", Self.site, "--data", target.path])
        let rowsFile = target.path + "/imports/1.rows"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: rowsFile)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: rowsFile))
        let damaged = try Self.answer(target, ["--metrics", "visitors"], range: "2026-10-01..2026-10-03")
        let notes = (Self.meta(damaged)["warnings"] as? [String]) ?? []
        #expect(Self.rows(damaged)[""] == [0])
        #expect(
            notes.contains { $0.contains("import 1 of shop.example is left out") && $0.contains("damaged") }, "\(notes)"
        )
        #expect(notes.contains { $0.contains("infinity import remove") })
        _ = try CLI.run(["import", "remove", Self.site, "1", "--data", target.path])
        let again = try CLI.run(["import", "plausible", zip, "--site", Self.site, "--data", target.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            Self.rows(try Self.answer(target, ["--metrics", "visitors"], range: "2026-10-01..2026-10-03"))
                == Self.rows(try Self.answer(source, ["--metrics", "visitors"], range: "2026-10-01..2026-10-03")))
    }

    @Test("a backup carries imported history, and a restored folder answers with it")
    func backupKeepsImports() throws {
        let source = try Self.folder(days: 3)
        let zip = try Self.export(source, range: "2026-10-01..2026-10-03")
        let target = try Self.folder(days: 1, start: "2026-10-05")
        _ = try CLI.run(["import", "plausible", zip, "--site", Self.site, "--data", target.path])
        let backup = TemporaryDirectory(), restored = TemporaryDirectory()
        let saved = try CLI.run(["backup", "--data", target.path, "--to", backup.path])
        #expect(saved.status == 0, "\(saved.stderr)")
        let back = try CLI.run(["restore", "--from", backup.path, "--data", restored.path])
        #expect(back.status == 0, "\(back.stderr)")
        let question = ["--by", "page", "--metrics", "visitors,pageviews"]
        let range = "2026-10-01..2026-10-05"
        let expected = Self.rows(try Self.answer(target, question, range: range))
        #expect(
            expected[""]?[0] ?? 0 > Self.rows(try Self.answer(target, question + ["--no-imported"], range: range))[""]?[
                0] ?? 0)
        #expect(Self.rows(try Self.answer(restored, question, range: range)) == expected)
        let listed = try CLI.run(["import", "list", "--data", restored.path])
        #expect(listed.stdout.contains("export.zip"), "\(listed.stdout)")
    }

    @Test("a file that is not an export gets one clear message, and nothing is imported")
    func badFiles() throws {
        let source = try Self.folder(days: 2)
        let zip = try Self.export(source, range: "2026-10-01..2026-10-02")
        let target = try Self.folder()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: zip))
        try bytes.prefix(bytes.count - 30).write(to: URL(fileURLWithPath: target.path + "/cut.zip"))
        let cut = try CLI.run([
            "import", "plausible", target.path + "/cut.zip", "--site", Self.site, "--data", target.path,
        ])
        #expect(cut.status == 1 && cut.stderr.contains("cut.zip is not a zip archive this can read"), "\(cut.stderr)")
        try "date,visitors\n2026-10-01,12\n2026-13-01,3\n".write(
            toFile: target.path + "/imported_visitors_20261001_20261002.csv", atomically: true, encoding: .utf8)
        let date = try CLI.run([
            "import", "plausible", target.path + "/imported_visitors_20261001_20261002.csv", "--site", Self.site,
            "--data",
            target.path,
        ])
        #expect(date.status == 1 && date.stderr.contains("line 3: '2026-13-01' is not a date"), "\(date.stderr)")
        let unknown = try CLI.run(["import", "plausible", zip, "--site", "nope.example", "--data", target.path])
        #expect(unknown.status == 1 && unknown.stderr.contains("not a registered site"))
        let list = try CLI.run(["import", "list", "--data", target.path])
        #expect(list.stdout.hasPrefix("No imports"), "\(list.stdout)")
    }

    @Test("Google Analytics daily reports: totals, pages, sources named like the site's own, countries by name")
    func analyticsReports() throws {
        let data = try Self.folder()
        let ga4Header = """
            # ----------------------------------------
            # Pages and screens: Page path and screen class
            # Start date: 20261001
            # End date: 20261002
            # ----------------------------------------

            """
        let files: [String: String] = [
            "totals.csv": """
            Date,Total users,Sessions,Views,Engaged sessions,Average session duration,Event count
            20261001,"1,000",1200,3000,700,90,40
            20261002,800,900,2000,450,00:01:00,10
            """,
            "pages.csv": ga4Header + """
                Date,Page path and screen class,Views,Users,Sessions,Bounce rate,Average session duration
                20261001,/,"1,200",800,900,0.45,83.5
                20261001,/pricing,300,250,260,0.5,00:01:00
                20261002,/,1000,700,750,0.4,60

                Date,Users
                20261001,5
                """,
            "sources.csv": """
            Date,Session source / medium,Users,Sessions
            2026-10-01,google / organic,400,500
            2026-10-01,(direct) / (none),300,350
            2026-10-01,newsletter / email,50,60
            2026-10-02,google / cpc,20,25
            """,
            "countries.csv": """
            Date,Country,Users,Sessions
            20261001,Germany,100,110
            20261001,United States,200,230
            20261002,Germany,10,11
            """,
        ]
        for (name, text) in files {
            try text.write(toFile: data.path + "/" + name, atomically: true, encoding: .utf8)
        }
        let run = try CLI.run(
            ["import", "analytics"] + files.keys.sorted().map { data.path + "/" + $0 } + [
                "--site", Self.site, "--data", data.path,
            ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let range = "2026-10-01..2026-10-02"
        // Totals: bounces are the sessions not engaged, durations the mean times the sessions.
        let totals = Self.rows(
            try Self.answer(
                data, ["--metrics", "visitors,visits,pageviews,bounce_rate,visit_duration,events"], range: range))
        let bounceRate = Double(500 + 450) / 2100 * 100
        let duration = (1200.0 * 90 + 900 * 60) / 2100
        #expect(
            totals[""] == [1800, 2100, 5000, (bounceRate * 100).rounded() / 100, (duration * 100).rounded() / 100, 50])
        let pages = Self.rows(
            try Self.answer(data, ["--by", "page", "--metrics", "visitors,pageviews,bounce_rate"], range: range))
        #expect(pages["/"] == [1500, 2200, (Double(405 + 300) / 1650 * 10_000).rounded() / 100])
        #expect(pages["/pricing"] == [250, 300, 50])
        let sources = Self.rows(try Self.answer(data, ["--by", "source", "--metrics", "visitors"], range: range))
        #expect(sources["Google"] == [420] && sources["newsletter"] == [50], "\(sources)")
        let channels = Self.rows(try Self.answer(data, ["--by", "channel", "--metrics", "visitors"], range: range))
        #expect(channels["Organic Search"] == [400] && channels["Paid Search"] == [20], "\(channels)")
        #expect(channels["Direct"] == [300] && channels["Email"] == [50], "\(channels)")
        let countries = Self.rows(try Self.answer(data, ["--by", "country", "--metrics", "visitors"], range: range))
        #expect(countries["DE"] == [110] && countries["US"] == [200], "\(countries)")

        // A report without dates, or with two dimensions, is refused with what to do.
        try "Page path,Users\n/,10\n".write(toFile: data.path + "/nodate.csv", atomically: true, encoding: .utf8)
        let nodate = try CLI.run([
            "import", "analytics", data.path + "/nodate.csv", "--site", Self.site, "--data", data.path,
        ])
        #expect(nodate.status == 1 && nodate.stderr.contains("no Date column") && nodate.stderr.contains("add Date"))
        try "Date,Page path,Country,Users\n20261003,/,Germany,1\n".write(
            toFile: data.path + "/two.csv", atomically: true, encoding: .utf8)
        let two = try CLI.run(["import", "analytics", data.path + "/two.csv", "--site", Self.site, "--data", data.path])
        #expect(two.status == 1 && two.stderr.contains("one report per dimension"), "\(two.stderr)")
    }
}
