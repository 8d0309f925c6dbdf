import Foundation
import InfinityTestSupport
import Testing

/// Deleting a site from the dashboard's settings while `infinity serve` runs and takes hits.
@Suite("deleting a site beside a running server", .serialized)
struct SiteDeletionServeTests {
    @Test(
        "an owner deletes a site in Settings: its hits are refused, its numbers and links are gone, its sealed records erased; viewers, links and unconfirmed requests are refused"
    )
    func deleteFromDashboard() throws {
        let (server, data, token) = try DashboardTests.start()  // example.com and shop.example, a link to example.com
        defer {
            _ = server.stop()
            try? FileManager.default.removeItem(atPath: data)
        }
        let http = try HTTPConnection(port: server.port)
        func session(_ email: String, _ password: String) throws -> [String: String] {
            let login = try http.request(
                "POST", "/api/dashboard/login", headers: ["Content-Type": "application/json"],
                body: Array(#"{"email": "\#(email)", "password": "\#(password)"}"#.utf8))
            try #require(login.status == 200)
            let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
            let csrf = try #require(
                (try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["csrf"] as? String)
            return ["Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"]
        }
        func delete(_ headers: [String: String], confirm: String) throws -> Int {
            try http.request(
                "POST", "/api/dashboard/settings", headers: headers,
                body: Array(#"{"action": "delete_site", "site": "example.com", "confirm": "\#(confirm)"}"#.utf8)
            ).status
        }
        func visitors(_ site: String, _ headers: [String: String]) throws -> (Int, String) {
            let answer = try http.request(
                "POST", "/api/dashboard/query", headers: headers,
                body: Array(#"{"site_id": "\#(site)", "metrics": ["visitors"], "date_range": "7d"}"#.utf8))
            return (answer.status, answer.body)
        }
        let owner = try session("owner@example.com", DashboardTests.password)
        let addViewer = try http.request(
            "POST", "/api/dashboard/settings", headers: owner,
            body: Array(
                #"{"action": "add_user", "email": "viewer@example.com", "password": "a viewer's password", "role": "viewer"}"#
                    .utf8))
        #expect(addViewer.status == 200)
        let viewer = try session("viewer@example.com", "a viewer's password")
        let shop = try visitors("shop.example", owner)
        #expect(shop.0 == 200)

        // Refused: a viewer, a shared link, no CSRF token, a wrong confirmation.
        #expect(try delete(viewer, confirm: "example.com") == 403)
        #expect(
            try delete(["X-Share-Token": token, "Content-Type": "application/json"], confirm: "example.com") == 403)
        #expect(
            try delete(["Cookie": owner["Cookie"]!, "Content-Type": "application/json"], confirm: "example.com") == 403)
        #expect(try delete(owner, confirm: "example.co") == 400)
        #expect(try visitors("example.com", owner).0 == 200, "nothing was deleted yet")

        #expect(try delete(owner, confirm: "example.com") == 200)
        // At once: its hits are refused, its numbers and its shared link are gone, the other site is unchanged.
        let hit = try http.request(
            "POST", "/api/event", headers: ["Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome],
            body: ServeEndToEndTests.event("/after"))
        #expect(hit.headers["x-infinity-drop-reason"] == "unknown-site")
        let gone = try visitors("example.com", owner)
        #expect(gone.0 == 400 && gone.1.contains("not a registered site"), "\(gone)")
        #expect(try http.request("GET", "/api/dashboard/session", headers: ["X-Share-Token": token]).status == 404)
        let shopAfter = try visitors("shop.example", owner)
        // The totals' numbers (a dictionary's description lists its keys in no fixed order).
        func totals(_ body: String) -> [Double]? {
            let answer = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
            return ((answer?["totals"] as? [String: Any])?["metrics"] as? [Any])?.compactMap {
                ($0 as? NSNumber)?.doubleValue
            }
        }
        #expect(totals(shopAfter.1) == totals(shop.1))
        // The journal's sealed segments lose its records in the background (the open one when sealed).
        let erased = try LiveAdministrationTests.eventually {
            let dump = try ServerProcess.run([
                "journal", "dump", "--data", data, "--format", "ndjson", "--site", "example.com", "--limit", "1000000",
            ])
            let sequences = dump.split(separator: "\n").compactMap {
                ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["seq"] as? Int
            }
            let open =
                try FileManager.default.contentsOfDirectory(atPath: data + "/journal")
                .filter { $0.hasSuffix(".seg") }.compactMap { Int($0.dropLast(4)) }.max() ?? 0
            return sequences.allSatisfy { $0 >= open }
        }
        #expect(erased)
        let generations = try FileManager.default.contentsOfDirectory(atPath: data + "/rollups").filter {
            $0.hasPrefix("g")
        }
        #expect(!generations.isEmpty)
        #expect(generations.allSatisfy { !FileManager.default.fileExists(atPath: data + "/rollups/\($0)/example.com") })

        // Added again in Settings: new hits count, the old ones stay erased.
        let added = try http.request(
            "POST", "/api/dashboard/settings", headers: owner,
            body: Array(#"{"action": "add_site", "domain": "example.com", "timezone": "UTC"}"#.utf8))
        #expect(added.status == 200)
        let again = try http.request(
            "POST", "/api/event",
            headers: [
                "Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome, "X-Forwarded-For": "81.2.69.142",
            ],
            body: ServeEndToEndTests.event("/again"))
        #expect(again.status == 202 && again.headers["x-infinity-dropped"] == "0")
        var latest = ""
        let counted = try LiveAdministrationTests.eventually {
            latest = try visitors("example.com", owner).1
            return totals(latest) == [1]
        }
        #expect(counted, "\(latest)")
    }
}
