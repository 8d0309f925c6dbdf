import Foundation
import Testing

/// A site's time zone, changed after it has data: its days are counted again in the new zone, and
/// changing another setting leaves the zone alone.
@Suite("a site's time zone, changed")
struct SiteTimeZoneTests {
    /// Page views per site-local day for the whole journal.
    static func pageviewsByDay(_ data: String) throws -> [String: Double] {
        let output = try CLI.run([
            "query", "example.com", "--data", data, "--range", "2026-09-29..2026-10-05", "--by", "time:day",
            "--metrics", "pageviews", "--format", "json",
        ])
        #expect(output.status == 0, "query failed: \(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        var days: [String: Double] = [:]
        for row in try #require(json["results"] as? [[String: Any]]) {
            let day = try #require((row["dimensions"] as? [String])?.first)
            days[day] = try #require((row["metrics"] as? [Double])?.first)
        }
        return days.filter { $0.value > 0 }
    }

    static func zone(_ data: String) throws -> String? {
        let output = try CLI.run(["sites", "list", "--data", data])
        let line = output.stdout.split(separator: "\n").first { $0.hasPrefix("example.com") }
        return line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
    }

    @Test("a new time zone recounts the site's past days in that zone, as a full rebuild would")
    func changedZoneRecountsPastDays() throws {
        let folder = TemporaryDirectory()
        let (data, _) = try DamagedJournalTests.journal(folder)
        #expect(try CLI.run(["rebuild", "--data", data]).status == 0)
        let utc = try Self.pageviewsByDay(data)
        let changed = try CLI.run(["sites", "add", "example.com", "--timezone", "Asia/Tokyo", "--data", data])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("Recounted"), "\(changed.stdout)")
        let tokyo = try Self.pageviewsByDay(data)
        #expect(tokyo != utc, "the days are Tokyo's now: \(tokyo)")
        #expect(tokyo.values.reduce(0, +) == utc.values.reduce(0, +), "every page view is still counted once")
        #expect(try CLI.run(["rebuild", "--data", data]).status == 0)
        #expect(try Self.pageviewsByDay(data) == tokyo, "the recount equals a full rebuild")
    }

    @Test("changing whether privacy signals are honoured keeps the site's time zone")
    func otherSettingsKeepTheZone() throws {
        let folder = TemporaryDirectory()
        let data = folder.path
        #expect(
            try CLI.run(["sites", "add", "example.com", "--timezone", "Europe/Berlin", "--data", data]).status == 0)
        let toggled = try CLI.run(["sites", "add", "example.com", "--enable-privacy-signals", "--data", data])
        #expect(toggled.status == 0, "\(toggled.stderr)")
        #expect(try Self.zone(data) == "Europe/Berlin")
        #expect(!toggled.stdout.contains("Recounted"))
    }
}
