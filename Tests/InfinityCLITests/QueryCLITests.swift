import Foundation
import Testing

@Suite("infinity query on the command line", .serialized)
struct QueryCLITests {
    /// Ten days of generated traffic, made once for the suite; a failure to make it fails each
    /// test that reads it (through ``data``).
    static let made: Result<TemporaryDirectory, any Error> = Result {
        let data = TemporaryDirectory("QueryCLITests", untilExit: true)
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "example.com", "--days", "10", "--hits-per-day", "600",
            "--sync", "none",
        ])
        guard generated.status == 0 else { throw CLI.Failure(message: "generate failed: \(generated.stderr)") }
        return data
    }

    static var data: TemporaryDirectory { get throws { try made.get() } }

    @Test("with only a site it prints the overview: headline numbers, sparkline, top fives")
    func overview() throws {
        let run = try CLI.run(["query", "example.com", "--data", try Self.data.path])
        #expect(run.status == 0, "\(run.stderr)")
        for text in [
            "Unique visitors", "Bounce rate", "Visit duration", "Visitors per day", "Top pages", "Top sources",
            "Top countries", "Devices", "change",
        ] {
            #expect(run.stdout.contains(text), "missing \(text)")
        }
        #expect(run.stdout.contains(where: { "▁▂▃▄▅▆▇█".contains($0) }))
    }

    @Test("tables format numbers for people; CSV and JSON keep them raw")
    func formats() throws {
        let base = [
            "query", "example.com", "--data", try Self.data.path, "--by", "country", "--metrics",
            "visitors,bounce_rate,visit_duration", "--limit", "3",
        ]
        let table = try CLI.run(base)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("%") && table.stdout.contains("country"))
        let csv = try CLI.run(base + ["--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "country,visitors,bounce_rate,visit_duration")
        #expect(lines.count == 4)
        #expect(!csv.stdout.contains("%"))
        let json = try CLI.run(base + ["--format", "json"])
        let object = try cast(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)), to: [String: Any].self)
        #expect(try (cast(object["results"], to: [Any].self)).count == 3)
    }

    @Test(
        "mistakes name the flag or field and list the valid choices",
        arguments: [
            (["--metrics", "visitors,sessions"], "unknown metric 'sessions'", "bounce_rate"),
            (["--by", "town"], "unknown dimension 'town'", "entry_page"),
            (["--filter", "country=DE"], "is not a filter", "~="),
            (["--range", "fortnight"], "is not a date range", "last-month"),
            (["--range", "2026-11-05..2026-11-01"], "starts (2026-11-05) after it ends", "--range"),
            (["--filter", "page=~[unclosed"], "not a valid regular expression", "--filter"),
            (["--by", "page,country"], "at most one dimension", "--by"),
        ])
    func mistakes(flags: [String], message: String, choice: String) throws {
        let run = try CLI.run(["query", "example.com", "--data", try Self.data.path] + flags)
        #expect(run.status != 0)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(choice.isEmpty || run.stderr.contains(choice), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count <= 3, "one clear message, not a usage dump: \(run.stderr)")
    }

    @Test("--site DOMAIN works where the site is an argument (query, export, goals), as it does for generate")
    func siteAsAnOption() throws {
        let data = try Self.data.path
        let base = ["--data", data, "--by", "country", "--limit", "3", "--format", "csv"]
        let positional = try CLI.run(["query", "example.com"] + base)
        #expect(positional.status == 0, "\(positional.stderr)")
        for spelling in [["--site", "example.com"], ["--site=example.com"]] {
            let option = try CLI.run(["query"] + spelling + base)
            #expect(option.status == 0 && option.stdout == positional.stdout, "\(option.stderr)")
        }
        let export = try CLI.run([
            "export", "--site", "example.com", "--data", data, "--range", "all", "--format", "csv",
        ])
        #expect(export.status == 0 && export.stdout.split(separator: "\n").count > 1000, "\(export.stderr)")
        let goals = try CLI.run(["goals", "list", "--site", "example.com", "--data", data])
        #expect(goals.status == 0, "\(goals.stderr)")
        // A command that takes no site still says so.
        let sites = try CLI.run(["sites", "list", "--site", "example.com", "--data", data])
        #expect(sites.status != 0 && sites.stderr.contains("--site"), "\(sites.stderr)")
    }

    @Test("an unknown site is named, with the registered ones")
    func unknownSite() throws {
        let run = try CLI.run(["query", "nosuch.example", "--data", try Self.data.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("'nosuch.example' is not a registered site") && run.stderr.contains("example.com"))
    }

    @Test("realtime finds nobody on a site whose hits are all from earlier days")
    func realtimeOfPastDays() throws {
        let run = try CLI.run(["query", "example.com", "--data", try Self.data.path, "--realtime", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"visitors":0}"#)
    }
}
