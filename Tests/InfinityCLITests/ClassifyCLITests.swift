import Foundation
import Testing

/// `infinity user-agent` and `infinity referrer` show what a hit would be counted as; `journal
/// stat` names the classifier versions a journal was written with.
@Suite("infinity user-agent, referrer, and classifier versions")
struct ClassifyCLITests {
    static let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

    @Test("user-agent: a table for people, tab-separated fields from standard input, bots and app clients named")
    func userAgent() throws {
        let table = try CLI.run(["user-agent", Self.chrome])
        #expect(table.status == 0)
        #expect(table.stdout.contains("Chrome") && table.stdout.contains("131") && table.stdout.contains("Windows"))
        let tsv = try CLI.run(
            ["user-agent", "--stdin", "--format", "tsv"],
            input: Self.chrome + "\ncurl/8.4.0\nDalvik/2.1.0 (Linux; U; Android 11; SM-A515F Build/RP1A.200720.012)\n")
        #expect(tsv.status == 0)
        let rows = tsv.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.count == 3)
        #expect(rows.map { String($0.first ?? "") } == ["browser", "bot", "app"])
        #expect(rows.first.map { String($0[1]) + " " + String($0[5]) } == "Chrome Desktop")
        let none = try CLI.run(["user-agent"])
        #expect(none.status != 0 && none.stderr.contains("--stdin"))
    }

    @Test("referrer: the channel and source a referrer is counted under")
    func referrer() throws {
        let run = try CLI.run([
            "referrer", "--format", "tsv", "https://www.google.de/search?q=x", "https://mail.google.com/mail/u/0/",
            "https://blog.example.org/post",
        ])
        #expect(run.status == 0)
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: "|") }
        #expect(rows == ["Organic Search|Google", "Email|Gmail", "Referral|blog.example.org"])
    }

    @Test("referrer: a referrer on the --site host is a self-referral, however the host is written")
    func referrerSelfReferral() throws {
        for site in ["www.example.org", "Example.org", "example.org"] {
            let run = try CLI.run([
                "referrer", "--site", site, "--format", "tsv", "https://www.example.org/a", "https://example.org/b",
            ])
            #expect(run.status == 0)
            #expect(run.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("Direct\t") }, "\(site): \(run.stdout)")
        }
    }

    @Test("journal stat lists every classifier version in the journal with its number of segments")
    func classifierVersions() throws {
        let data = TemporaryDirectory()
        _ = try CLI.run(["sites", "add", "elastic.example", "--data", data.path])
        let generated = try CLI.run([
            "generate", "--data", data.path, "--site", "elastic.example", "--days", "1", "--hits-per-day", "50",
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        let log = BuiltBinary.fixtures.appendingPathComponent("logs/elastic-apache_logs").path
        let imported = try CLI.run([
            "import", "access-log", log, "--site", "elastic.example", "--data", data.path, "--progress", "none",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        let stat = try CLI.run(["journal", "stat", "--data", data.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)) as? [String: Any])
        let classifiers = try #require(object["classifiers"] as? [String: [String: Int]])
        #expect(classifiers["ua-rules"] == ["infinity-ua/3": 1], "\(classifiers)")
        #expect(classifiers["generator"]?.values.reduce(0, +) == 1, "\(classifiers)")
        let table = try CLI.run(["journal", "stat", "--data", data.path])
        #expect(table.stdout.contains("infinity-ua/3 (1 segment)"), "\(table.stdout)")
    }
}
