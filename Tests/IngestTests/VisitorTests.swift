import Foundation
import InfinityTestSupport
import Journal
import Testing

@testable import Ingest

@Suite("Daily visitor ids and salts")
struct VisitorTests {
    @Test("SipHash-2-4 matches the reference vector")
    func sipHashReference() {
        // Key 00..0f, message 00..0e (15 bytes): 0xa129ca6149be45e5 (the SipHash paper's vectors).
        var hasher = SipHash(key0: 0x0706_0504_0302_0100, key1: 0x0F0E_0D0C_0B0A_0908)
        let message = (0..<15).map { UInt8($0) }
        message.withUnsafeBytes { hasher.combine($0) }
        #expect(hasher.finalize() == 0xA129_CA61_49BE_45E5)
        var empty = SipHash(key0: 0x0706_0504_0302_0100, key1: 0x0F0E_0D0C_0B0A_0908)
        #expect(empty.finalize() == 0x726F_DB47_DD0E_0E31)
    }

    /// Milliseconds for a wall-clock time in a zone.
    static func time(_ text: String, _ zone: String) -> Int64 {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: zone)
        return Int64(formatter.date(from: text)!.timeIntervalSince1970 * 1000)
    }

    @Test(
        "ids rotate at the site's local midnight, in zones with whole and half-hour offsets",
        arguments: ["America/New_York", "Asia/Kolkata", "Australia/Adelaide", "UTC"])
    func rotationAtLocalMidnight(zone: String) throws {
        let site = Site(domain: "example.com", timeZone: TimeZone(identifier: zone)!)
        let visitors = VisitorIdentifier(salts: EphemeralSalts(), sessionTimeout: 30 * 60_000)
        let ip = IPAddress("203.0.113.9")!
        let agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
        let morning = try visitors.visitorID(
            site: site, address: ip, userAgent: agent, time: Self.time("2026-03-10 09:00:00", zone))
        let evening = try visitors.visitorID(
            site: site, address: ip, userAgent: agent, time: Self.time("2026-03-10 23:59:00", zone))
        // Hours after the last hit, well past the session timeout: a new day, a new id.
        let nextDay = try visitors.visitorID(
            site: site, address: ip, userAgent: agent, time: Self.time("2026-03-11 08:00:00", zone))
        #expect(morning == evening, "the id is stable within a local day")
        #expect(nextDay != evening, "the id changes after local midnight")
        #expect(
            site.localDay(of: Self.time("2026-03-10 23:59:59", zone)) + 1
                == site.localDay(of: Self.time("2026-03-11 00:00:00", zone)))
    }

    @Test(
        "days begin at local midnight around the clocks' changes, whichever hour of the day came first",
        arguments: [
            ("Europe/Berlin", "2026-03-29"), ("Europe/Berlin", "2026-10-25"), ("America/New_York", "2026-03-08"),
            ("America/New_York", "2026-11-01"), ("Australia/Lord_Howe", "2026-04-05"),
        ])
    func daysAroundOffsetChanges(zone: String, changeDay: String) throws {
        let site = Site(domain: "example.com", timeZone: TimeZone(identifier: zone)!)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let day = Int64(try #require(formatter.date(from: changeDay)).timeIntervalSince1970 / 86_400)
        // First asked early on the day of the change (the answer is remembered), then around its end.
        #expect(site.localDay(of: Self.time("\(changeDay) 00:30:00", zone)) == day)
        #expect(site.localDay(of: Self.time("\(changeDay) 23:59:00", zone)) == day)
        let next = formatter.string(from: Date(timeIntervalSince1970: Double(day + 1) * 86_400))
        #expect(site.localDay(of: Self.time("\(next) 00:00:00", zone)) == day + 1, "the next day's midnight")
        #expect(site.localDay(of: Self.time("\(next) 00:40:00", zone)) == day + 1)
        // And asked first late on the day of the change.
        let late = Site(domain: "example.com", timeZone: TimeZone(identifier: zone)!)
        #expect(late.localDay(of: Self.time("\(changeDay) 23:00:00", zone)) == day)
        #expect(late.localDay(of: Self.time("\(changeDay) 00:10:00", zone)) == day)
        #expect(late.localDay(of: Self.time("\(next) 00:20:00", zone)) == day + 1)
    }

    @Test("a session running over midnight keeps yesterday's id; a new visitor after midnight gets today's")
    func midnightContinuity() throws {
        let site = Site(domain: "example.com", timeZone: TimeZone(identifier: "Asia/Kolkata")!)
        let salts = EphemeralSalts()
        let visitors = VisitorIdentifier(salts: salts)
        let agent = "Mozilla/5.0 Chrome/131.0"
        let a = IPAddress("198.51.100.1")!, b = IPAddress("198.51.100.2")!
        let before = try visitors.visitorID(
            site: site, address: a, userAgent: agent, time: Self.time("2026-03-10 23:50:00", "Asia/Kolkata"))
        let after = try visitors.visitorID(
            site: site, address: a, userAgent: agent, time: Self.time("2026-03-11 00:10:00", "Asia/Kolkata"))
        let later = try visitors.visitorID(
            site: site, address: a, userAgent: agent, time: Self.time("2026-03-11 00:35:00", "Asia/Kolkata"))
        #expect(before == after)
        #expect(after == later, "the session goes on with yesterday's id while it stays active")
        let afterMidnight = Self.time("2026-03-11 00:10:00", "Asia/Kolkata")
        let newcomer = try visitors.visitorID(site: site, address: b, userAgent: agent, time: afterMidnight)
        let todaySalt = try #require(salts.existingSalt(site: "example.com", day: site.localDay(of: afterMidnight)))
        #expect(newcomer == VisitorIdentifier.hash(todaySalt, site: "example.com", address: b, userAgent: agent))
        #expect(after != VisitorIdentifier.hash(todaySalt, site: "example.com", address: a, userAgent: agent))
    }

    @Test("different visitors, agents and sites get different ids")
    func distinct() throws {
        let salts = EphemeralSalts()
        let visitors = VisitorIdentifier(salts: salts)
        let t = Self.time("2026-03-10 12:00:00", "UTC")
        let one = Site(domain: "a.example"), two = Site(domain: "b.example")
        let ip = IPAddress("192.0.2.1")!
        let ids = [
            try visitors.visitorID(site: one, address: ip, userAgent: "A", time: t),
            try visitors.visitorID(site: one, address: IPAddress("192.0.2.2")!, userAgent: "A", time: t),
            try visitors.visitorID(site: one, address: ip, userAgent: "B", time: t),
            try visitors.visitorID(site: two, address: ip, userAgent: "A", time: t),
        ]
        #expect(Set(ids).count == 4)
    }

    @Test("ids are 48-bit hashes: nothing above bit 47, and bit 47 in about half of them")
    func idsAre48Bits() throws {
        let visitors = VisitorIdentifier(salts: EphemeralSalts())
        let t = Self.time("2026-03-10 12:00:00", "UTC")
        let ids = try (1...2_000).map {
            try #require(
                try visitors.visitorID(
                    site: Site(domain: "a.example"), address: IPAddress("10.0.\($0 / 256).\($0 % 256)")!,
                    userAgent: "A",
                    time: t))
        }
        #expect(ids.allSatisfy { $0 <= Hit.visitorIDMask })
        // A hash cut to 48 bits sets bit 47 in about half of all ids.
        #expect(ids.filter { $0 >> 47 == 1 }.count > 800)
        #expect(Set(ids).count == ids.count)
    }

    @Test("a site's first hit of a new day rotates its old salts away without any scheduler")
    func rotationOnNewDay() throws {
        let folder = NSTemporaryDirectory() + "infinity-salts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SaltStore(path: folder + "/salts")
        let site = Site(domain: "example.com", timeZone: TimeZone(identifier: "Asia/Kolkata")!)
        let visitors = VisitorIdentifier(salts: store)
        let ip = IPAddress("192.0.2.44")!
        for day in ["2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"] {
            _ = try visitors.visitorID(
                site: site, address: ip, userAgent: "A", time: Self.time("\(day) 12:00:00", "Asia/Kolkata"))
        }
        let today = site.localDay(of: Self.time("2026-03-13 12:00:00", "Asia/Kolkata"))
        #expect(store.days["example.com"] == [today - 1, today])
        #expect(try SaltStore(path: folder + "/salts").days["example.com"] == [today - 1, today])
    }

    @Test("the salt file is 0600, survives a restart, and loses old salts for good on rotation")
    func saltFile() throws {
        let folder = NSTemporaryDirectory() + "infinity-salts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/salts"
        let store = try SaltStore(path: path)
        let old = try #require(try store.salt(site: "example.com", day: 100))
        let yesterday = try #require(try store.salt(site: "example.com", day: 101))
        #expect(try store.rotate(currentDays: ["example.com": 101]) == 0, "yesterday's salt stays")
        let other = try #require(try store.salt(site: "other.example", day: 90))
        let mode = try cast(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions], to: NSNumber.self)
        #expect(mode.intValue == 0o600)
        // A restart reads the same salts back.
        #expect(try SaltStore(path: path).existingSalt(site: "example.com", day: 100) == old)
        // Starting day 102 keeps today and yesterday (for sessions over midnight) and deletes day 100.
        _ = try #require(try store.salt(site: "example.com", day: 102))
        #expect(store.days["example.com"] == [101, 102])
        #expect(try store.salt(site: "example.com", day: 100) == nil, "a rotated day is never recreated")
        // A site without traffic is rotated by the periodic sweep.
        #expect(try store.rotate(currentDays: ["example.com": 102, "other.example": 95]) == 1)
        #expect(store.existingSalt(site: "other.example", day: 90) == nil)
        _ = other
        #expect(try SaltStore(path: path).existingSalt(site: "example.com", day: 101) == yesterday)
        // The old salt is in no file of the folder any more, in any form.
        let hex = String(format: "%016llx%016llx", old.k0, old.k1)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let content = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            #expect(!content.contains(hex))
            #expect(!content.contains(String(old.k0, radix: 16)))
        }
    }
}
