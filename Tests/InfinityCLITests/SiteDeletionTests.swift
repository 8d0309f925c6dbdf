import Foundation
import Testing

/// `infinity sites remove SITE --delete-data`: a site and everything recorded of it deleted; the
/// other sites exactly as they were.
@Suite("deleting a site and its data")
struct SiteDeletionTests {
    static func run(_ arguments: [String], data: TemporaryDirectory) throws -> CLI.Output {
        try CLI.run(arguments + ["--data", data.path])
    }

    /// Generated traffic for `sites` (`domain` or `domain@zone`), written without fsync.
    static func generate(
        _ sites: [String], days: Int, hitsPerDay: Int, start: String, seed: Int, data: TemporaryDirectory
    ) throws {
        let generated = try run(
            ["generate"] + sites.flatMap { ["--site", $0] } + [
                "--days", "\(days)", "--hits-per-day", "\(hitsPerDay)", "--start", start, "--seed", "\(seed)",
                "--sync", "none", "--progress", "none",
            ], data: data)
        try #require(generated.status == 0, "\(generated.stderr)")
    }

    /// The journal's records, as `journal dump` writes them.
    static func records(_ data: TemporaryDirectory) throws -> [[String: Any]] {
        try run(["journal", "dump", "--format", "ndjson", "--limit", "10000000"], data: data).stdout
            .split(separator: "\n").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
    }

    @Test(
        "its numbers, settings and hits are gone from answers, exports and the journal's sealed segments; other sites are untouched"
    )
    func deleteSite() throws {
        let data = TemporaryDirectory()
        _ = try Self.run(["sites", "add", "example.com"], data: data)
        _ = try Self.run(["sites", "add", "shop.example", "--timezone", "America/New_York"], data: data)
        try Self.generate(
            ["example.com", "shop.example@America/New_York"], days: 4, hitsPerDay: 500, start: "2026-11-01", seed: 42,
            data: data)
        // A later day of the other site seals the segments holding every shop.example record (how
        // many segments the first run made depends on how its group commits fell).
        try Self.generate(["example.com"], days: 1, hitsPerDay: 100, start: "2026-11-08", seed: 3, data: data)
        _ = try Self.run(["rebuild"], data: data)
        _ = try Self.run(["goals", "add", "shop.example", "--event", "Signup"], data: data)
        _ = try Self.run(["keys", "create", "shop only", "--site", "shop.example"], data: data)
        _ = try Self.run(["keys", "create", "both", "--site", "shop.example", "--site", "example.com"], data: data)
        _ = try Self.run(["sites", "share", "shop.example"], data: data)
        let range = ["--range", "2026-10-31..2026-11-05"]
        let other = try Self.run(["query", "example.com", "--by", "page", "--format", "csv"] + range, data: data).stdout
        let before = try Self.records(data)
        #expect(before.contains { $0["site"] as? String == "shop.example" })

        let deleted = try Self.run(["sites", "remove", "shop.example", "--delete-data"], data: data)
        #expect(deleted.status == 0 && deleted.stdout.contains("Deleted shop.example"), "\(deleted.stderr)")
        #expect(deleted.stdout.contains("1 goals and funnels, 1 shared links") && deleted.stdout.contains("1 API keys"))

        // Answers: the site is unknown; the other site's numbers are as they were.
        let query = try Self.run(["query", "shop.example"] + range, data: data)
        #expect(query.status != 0 && query.stderr.contains("not a registered site"))
        #expect(
            try Self.run(["query", "example.com", "--by", "page", "--format", "csv"] + range, data: data).stdout
                == other)
        // The journal: as many records (placeholders keep the sequence numbers), none of the site's,
        // since all of them were in sealed segments; as many erased as the command said.
        let after = try Self.records(data)
        #expect(after.count == before.count)
        #expect(!after.contains { $0["site"] as? String == "shop.example" })
        #expect(try Self.run(["journal", "verify"], data: data).status == 0, "the rewritten segments verify")
        let erased = deleted.stdout.components(separatedBy: "Erased ").last?.split(separator: " ").first.flatMap {
            Int($0)
        }
        let ownBefore = before.filter { $0["site"] as? String == "shop.example" }.count
        #expect(ownBefore > 0 && erased == ownBefore, "\(deleted.stdout)")
        #expect(
            after.filter { $0["site"] as? String == "example.com" }.count
                == before.filter { $0["site"] as? String == "example.com" }.count)
        // Its day files, goals, links and the key for it alone are gone; the shared key keeps the other site.
        let rollups = try FileManager.default.contentsOfDirectory(atPath: data.path + "/rollups")
            .filter { $0.hasPrefix("g") }
        #expect(
            !rollups.isEmpty
                && rollups.allSatisfy {
                    !FileManager.default.fileExists(atPath: data.path + "/rollups/\($0)/shop.example")
                })
        let keys = try Self.run(["keys", "list"], data: data).stdout
        #expect(!keys.contains("shop only") && keys.contains("both") && !keys.contains("shop.example"), "\(keys)")
        #expect(!(try String(contentsOfFile: data.path + "/goals.json", encoding: .utf8)).contains("shop.example"))
        #expect(!(try String(contentsOfFile: data.path + "/shares.json", encoding: .utf8)).contains("shop.example"))

        // Added again: the old hits stay erased (also after a rebuild, also in exports); new ones count.
        _ = try Self.run(["sites", "add", "shop.example", "--timezone", "America/New_York"], data: data)
        _ = try Self.run(["rebuild"], data: data)
        let again = try Self.run(
            ["query", "shop.example", "--metrics", "visitors,pageviews", "--format", "csv"] + range, data: data)
        #expect(again.stdout.split(separator: "\n").last == "0,0", "\(again.stdout)")
        let export = try Self.run(["export", "shop.example", "--format", "csv"] + range, data: data)
        #expect(export.stdout.split(separator: "\n").count == 1, "only the header: \(export.stdout.prefix(300))")
        try Self.generate(
            ["shop.example@America/New_York"], days: 1, hitsPerDay: 200, start: "2026-11-10", seed: 9, data: data)
        let counted = try Self.run(
            [
                "query", "shop.example", "--metrics", "pageviews", "--format", "csv", "--range",
                "2026-11-09..2026-11-11",
            ],
            data: data)
        #expect((Int(counted.stdout.split(separator: "\n").last ?? "") ?? 0) > 100, "\(counted.stdout)")
    }

    @Test("a site that is not registered, or no --delete-data, changes no data")
    func refusals() throws {
        let data = TemporaryDirectory()
        _ = try Self.run(["sites", "add", "example.com"], data: data)
        let unknown = try Self.run(["sites", "remove", "nope.example", "--delete-data"], data: data)
        #expect(unknown.status == 1 && unknown.stderr.contains("'nope.example' is not a registered site"))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/erasures.json"))
        let plain = try Self.run(["sites", "remove", "example.com"], data: data)
        #expect(plain.status == 0 && plain.stdout.contains("stay in the journal"))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/erasures.json"))
    }
}
