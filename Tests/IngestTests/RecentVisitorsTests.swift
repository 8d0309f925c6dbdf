import Foundation
import InfinityTestSupport
import Testing

@testable import Ingest

@Suite("Recent visitor ids, for sessions over midnight")
struct RecentVisitorsTests {
    static let minute: Int64 = 60_000

    /// The rule as first written: every id ever seen in one dictionary, and yesterday's id worked
    /// out for every hit. The identifier must give the same ids while keeping far less.
    struct Reference {
        var seen: [UInt64: Int64] = [:]
        let sessionTimeout: Int64

        mutating func id(today: UInt64, yesterday: UInt64?, at time: Int64) -> UInt64 {
            var id = today
            if let yesterday, let last = seen[yesterday], time - last <= sessionTimeout, seen[today] == nil {
                id = yesterday
            }
            seen[id] = max(seen[id] ?? time, time)
            return id
        }
    }

    @Test(
        "the same ids as keeping every id seen, for visitors coming and going over three midnights",
        arguments: ["UTC", "Asia/Kolkata", "America/New_York"])
    func sameIdsAsKeepingEverything(zone: String) throws {
        let site = Site(domain: "example.com", timeZone: TimeZone(identifier: zone)!)
        let salts = EphemeralSalts()
        let visitors = VisitorIdentifier(salts: salts)
        var reference = Reference(sessionTimeout: 30 * Self.minute)
        var random = SplitMix(seed: 18)
        // Forty visitors, each coming back after 1 to 50 minutes, from 21:00 on day one for three days.
        var time = VisitorTests.time("2026-03-10 21:00:00", zone)
        let end = time + 3 * 24 * 60 * Self.minute
        var continued = 0
        while time < end {
            time += Int64.random(in: 0...(40_000), using: &random)
            let address = IPAddress("198.51.100.\(Int.random(in: 1...40, using: &random))")!
            let day = site.localDay(of: time)
            let today = VisitorIdentifier.hash(
                try #require(try salts.salt(site: site.domain, day: day)), site: site.domain, address: address,
                userAgent: "A")
            let yesterday = salts.existingSalt(site: site.domain, day: day - 1).map {
                VisitorIdentifier.hash($0, site: site.domain, address: address, userAgent: "A")
            }
            let expected = reference.id(today: today, yesterday: yesterday, at: time)
            if expected != today { continued += 1 }
            let id = try visitors.visitorID(site: site, address: address, userAgent: "A", time: time)
            #expect(id == expected, "hit at \(time) from \(address)")
        }
        // The walk must have crossed midnight inside sessions, or it tested only the easy case.
        #expect(continued > 100, "only \(continued) hits continued yesterday's session")
    }

    @Test("a session that runs on for hours after midnight keeps yesterday's id")
    func longSessionOverMidnight() throws {
        let site = Site(domain: "example.com")
        let visitors = VisitorIdentifier(salts: EphemeralSalts())
        let address = IPAddress("203.0.113.7")!
        let start = VisitorTests.time("2026-03-10 23:40:00", "UTC")
        let first = try visitors.visitorID(site: site, address: address, userAgent: "A", time: start)
        // A hit every 25 minutes until 03:50, across several generations of kept ids.
        for step in Int64(1)...10 {
            let id = try visitors.visitorID(
                site: site, address: address, userAgent: "A", time: start + step * 25 * Self.minute)
            #expect(id == first, "hit \(step) after midnight")
        }
        // After a pause longer than a session, the visitor gets today's id.
        let back = try visitors.visitorID(site: site, address: address, userAgent: "A", time: start + 300 * Self.minute)
        #expect(back != first)
    }

    @Test("ids silent for longer than a session are forgotten, without anyone sweeping them")
    func memoryFollowsTheLastSession() {
        var recent = RecentVisitors(sessionTimeout: 30 * Self.minute, capacity: 1 << 20)
        for id in UInt64(1)...10_000 { _ = recent.assign(today: id, yesterday: nil, at: 0) }
        #expect(recent.count == 10_000)
        _ = recent.assign(today: 20_001, yesterday: nil, at: 31 * Self.minute)
        #expect(recent.lastSeen(1) == 0, "seen 31 minutes ago: kept one generation more")
        _ = recent.assign(today: 20_002, yesterday: nil, at: 62 * Self.minute)
        #expect(recent.lastSeen(1) == nil, "seen an hour ago: forgotten")
        #expect(recent.count == 2)
    }

    @Test("a flood of new visitors keeps at most the capacity, and the latest of them")
    func floodIsBounded() {
        var recent = RecentVisitors(sessionTimeout: 30 * Self.minute, capacity: 1_000)
        for id in UInt64(1)...100_000 {
            _ = recent.assign(today: id, yesterday: nil, at: Int64(id))
            #expect(recent.count <= 1_000, "after \(id) visitors")
        }
        #expect(recent.lastSeen(100_000) == 100_000)
        #expect(recent.lastSeen(99_600) == 99_600, "the last few hundred are kept")
    }

    @Test("imports, which never continue a session, give each day its own id even a minute apart")
    func noSessionsNoMemory() throws {
        let site = Site(domain: "example.com")
        let salts = EphemeralSalts()
        let visitors = VisitorIdentifier(salts: salts, sessionTimeout: -1)
        let address = IPAddress("192.0.2.1")!
        let before = try visitors.visitorID(
            site: site, address: address, userAgent: "A", time: VisitorTests.time("2026-03-10 23:59:00", "UTC"))
        let after = try visitors.visitorID(
            site: site, address: address, userAgent: "A", time: VisitorTests.time("2026-03-11 00:00:30", "UTC"))
        #expect(before != after)
    }
}
