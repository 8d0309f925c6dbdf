import Foundation
import Journal
import Testing

@testable import Ingest

@Suite("Ingest pipeline")
struct PipelineTests {
    /// Nil when the shipped database cannot be opened (GeoIPTests then fail and say why).
    static let geoip = try? GeoIPTests.opened.get()
    let pipeline = IngestPipeline(
        sites: StaticSiteRegistry([Site(domain: "example.com"), Site(domain: "shop.example")]),
        visitors: VisitorIdentifier(salts: EphemeralSalts()), geoip: PipelineTests.geoip,
        addresses: ClientAddressResolver(trustedProxies: [CIDR("127.0.0.0/8")!]))
    static let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    static let now: Int64 = 1_795_000_000_000

    func run(
        _ url: String, referrer: String? = nil, domain: String = "example.com", agent: String = chrome,
        peer: String = "127.0.0.1", forwardedFor: String? = "81.2.69.142", name: String = "pageview",
        props: [(key: String, value: PropertyValue)] = [], revenue: (amount: PropertyValue, currency: String)? = nil
    ) -> IngestOutcome {
        pipeline.process(
            IncomingEvent(
                name: name, url: url, domain: domain, referrer: referrer, props: props, revenue: revenue,
                screenWidth: 1280),
            context: RequestContext(peerAddress: peer, forwardedFor: forwardedFor, userAgent: agent, time: Self.now))
    }

    func hit(_ outcome: IngestOutcome) throws -> Hit {
        guard case .accepted(let hits) = outcome, let hit = hits.first else {
            Issue.record("expected an accepted hit, got \(outcome)")
            throw CancellationError()
        }
        return hit
    }

    @Test("a page view becomes a hit with host, path, country, browser, OS, device and screen")
    func pageview() throws {
        let hit = try hit(run("https://WWW.Example.com/blog/post?id=3#top"))
        #expect(hit.site == "example.com")
        #expect(hit.hostname == "example.com")
        #expect(hit.pathname == "/blog/post")
        #expect(hit.country == "GB")
        #expect(hit.browser == "Chrome" && hit.browserVersion == "131")
        #expect(hit.os == "Windows" && hit.osVersion == "10")
        #expect(hit.device == .desktop && hit.screen == .laptop)
        #expect(hit.channel == .direct && hit.source.isEmpty)
    }

    @Test(
        "percent-encoded paths are stored decoded, as Plausible shows them; structure-changing and invalid escapes stay",
        arguments: [
            ("/opportunity/category/%D8%AC%D9%88%D8%A7%D8%A6%D8%B2", "/opportunity/category/جوائز"),
            ("/caf%C3%A9/men%C3%BC", "/café/menü"), ("/a%2Fb/c%3Fd", "/a%2Fb/c%3Fd"), ("/100%25", "/100%25"),
            ("/bad%D8", "/bad%D8"), ("/broken%ZZ/x", "/broken%ZZ/x"), ("/plus+sign%20space", "/plus+sign space"),
            ("/nul%00", "/nul%00"),
        ])
    func decodedPaths(sent: String, stored: String) throws {
        #expect(try hit(run("https://example.com" + sent)).pathname == stored)
    }

    @Test("hash routing keeps the fragment; otherwise it is dropped")
    func hashRouting() throws {
        let outcome = pipeline.process(
            IncomingEvent(
                name: "pageview", url: "https://example.com/app#/settings", domain: "example.com", hashMode: true),
            context: RequestContext(peerAddress: "8.8.8.8", userAgent: Self.chrome, time: Self.now))
        #expect(try hit(outcome).pathname == "/app#/settings")
    }

    @Test(
        "sources and channels come from the referrer",
        arguments: [
            ("https://www.google.com/search?q=x", "Google", Channel.organicSearch, "google.com/search"),
            ("https://www.google.co.uk/", "Google", .organicSearch, "google.co.uk/"),
            ("https://m.facebook.com/", "Facebook", .organicSocial, "m.facebook.com/"),
            ("https://www.youtube.com/watch?v=1", "YouTube", .organicVideo, "youtube.com/watch"),
            ("https://chatgpt.com/", "ChatGPT", .aiAssistant, "chatgpt.com/"),
            ("https://news.ycombinator.com/item?id=1", "Hacker News", .organicSocial, "news.ycombinator.com/item"),
            ("https://blog.example.net/posts/7", "blog.example.net", .referral, "blog.example.net/posts/7"),
            ("https://example.com/other", "", .direct, ""),
            ("http://localhost:3000/", "", .direct, ""),
        ])
    func referrers(referrer: String, source: String, channel: Channel, stored: String) throws {
        let hit = try hit(run("https://example.com/", referrer: referrer))
        #expect(hit.source == source)
        #expect(hit.channel == channel)
        #expect(hit.referrer == stored)
    }

    @Test("UTM parameters win over the referrer, and set paid and email channels")
    func utmPrecedence() throws {
        let newsletter = try hit(
            run(
                "https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=weekly-3",
                referrer: "https://www.google.com/"))
        #expect(newsletter.source == "newsletter")
        #expect(newsletter.channel == .email)
        #expect(newsletter.utm.campaign == "weekly-3")
        #expect(newsletter.referrer == "google.com/")
        let ads = try hit(run("https://example.com/?utm_source=google&utm_medium=cpc&utm_term=web+analytics"))
        #expect(ads.source == "Google" && ads.channel == .paidSearch && ads.utm.term == "web analytics")
        let ref = try hit(run("https://example.com/?ref=producthunt"))
        #expect(ref.source == "producthunt" && ref.channel == .referral)
    }

    @Test(
        "bots are dropped by user agent",
        arguments: [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
            "curl/8.5.0", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "facebookexternalhit/1.1", "python-requests/2.31",
            "",
        ])
    func bots(agent: String) {
        guard case .dropped(.bot) = run("https://example.com/", agent: agent) else {
            Issue.record("\(agent) was not dropped as a bot")
            return
        }
    }

    @Test("referrer spam is dropped")
    func spam() {
        let spammer = SpamList.data.split(separator: "\n").first!
        guard case .dropped(.spam) = run("https://example.com/", referrer: "https://\(spammer)/offer") else {
            Issue.record("spam referrer \(spammer) was not dropped")
            return
        }
        guard case .dropped(.spam) = run("https://example.com/", referrer: "http://sub.\(spammer)/") else {
            Issue.record("a subdomain of \(spammer) was not dropped")
            return
        }
    }

    @Test("only registered sites count; a comma list stores one hit per registered site")
    func sites() throws {
        guard case .dropped(.unknownSite) = run("https://other.example/", domain: "other.example") else {
            Issue.record("an unregistered domain was not dropped")
            return
        }
        guard
            case .accepted(let hits) = run("https://example.com/", domain: "example.com, www.shop.example,nope.example")
        else {
            Issue.record("the comma list was not accepted")
            return
        }
        #expect(hits.map(\.site) == ["example.com", "shop.example"])
    }

    @Test("a site named many times in `d` is stored once; more than ten names are refused, naming the field")
    func repeatedDomains() throws {
        let repeated =
            Array(repeating: "example.com", count: 8).joined(separator: ",") + ",www.example.com,shop.example"
        guard case .accepted(let hits) = run("https://example.com/", domain: repeated) else {
            Issue.record("a repeated site was not accepted")
            return
        }
        #expect(hits.map(\.site) == ["example.com", "shop.example"])
        let flood = Array(repeating: "example.com", count: 6_000).joined(separator: ",")
        guard case .invalid(let errors) = run("https://example.com/", domain: flood) else {
            Issue.record("6,000 names in d were not refused")
            return
        }
        #expect(errors.contains { $0.field == "d" && $0.message.contains("at most 10 sites") })
    }

    @Test("forwarding headers count only from trusted proxies; garbage addresses are dropped")
    func addresses() throws {
        #expect(try hit(run("https://example.com/", peer: "8.8.8.8", forwardedFor: "81.2.69.142")).country == "US")
        #expect(try hit(run("https://example.com/", peer: "127.0.0.1", forwardedFor: "2a02:8070::1")).country == "DE")
        guard case .dropped(.invalidAddress) = run("https://example.com/", peer: "not-an-ip", forwardedFor: nil) else {
            Issue.record("a garbage peer address was not dropped")
            return
        }
    }

    @Test(
        "invalid events are rejected with the field named, never truncated",
        arguments: [
            ("url", "u"), ("name", "n"), ("props", "p"), ("key", "p"), ("value", "p.note"), ("type", "p.tags"),
            ("currency", "$.currency"), ("amount", "$.amount"),
        ])
    func invalid(kind: String, field: String) {
        let outcome: IngestOutcome
        switch kind {
        case "url": outcome = run("example.com/no-scheme")
        case "name": outcome = run("https://example.com/", name: String(repeating: "n", count: 121))
        case "props": outcome = run("https://example.com/", props: (0..<31).map { ("k\($0)", .string("v")) })
        case "key": outcome = run("https://example.com/", props: [(String(repeating: "k", count: 301), .string("v"))])
        case "value":
            outcome = run("https://example.com/", props: [("note", .string(String(repeating: "v", count: 2001)))])
        case "type": outcome = run("https://example.com/", props: [("tags", .structured)])
        case "currency": outcome = run("https://example.com/", name: "Purchase", revenue: (.number(9.99), "EURO"))
        default: outcome = run("https://example.com/", name: "Purchase", revenue: (.string("lots"), "EUR"))
        }
        guard case .invalid(let errors) = outcome else {
            Issue.record("\(kind) was not rejected: \(outcome)")
            return
        }
        #expect(errors.contains { $0.field == field }, "\(errors)")
    }

    @Test("props of any scalar type and revenue in minor units are stored; null and empty values are not")
    func propsAndRevenue() throws {
        let hit = try hit(
            run(
                "https://example.com/checkout", name: "Purchase",
                props: [
                    ("plan", .string("pro")), ("seats", .number(5)), ("trial", .bool(false)), ("coupon", .null),
                    ("ref", .string("")),
                ],
                revenue: (.string("19.99"), "eur")))
        #expect(hit.props == [Property("plan", "pro"), Property("seats", "5"), Property("trial", "false")])
        #expect(hit.revenue == Revenue(amount: 1999, currency: "EUR"))
        let yen = try self.hit(run("https://example.com/", name: "Purchase", revenue: (.number(1500), "JPY")))
        #expect(yen.revenue == Revenue(amount: 1500, currency: "JPY"))
    }

    @Test("a salt file that cannot be written fails the hit as our fault, not the sender's")
    func saltWriteFailure() throws {
        // /proc cannot hold files, even for root: every salt save fails.
        let broken = IngestPipeline(
            sites: StaticSiteRegistry([Site(domain: "example.com")]),
            visitors: VisitorIdentifier(salts: try SaltStore(path: "/proc/infinity-test/salts")))
        let outcome = broken.process(
            IncomingEvent(name: "pageview", url: "https://example.com/", domain: "example.com"),
            context: RequestContext(peerAddress: "8.8.8.8", userAgent: Self.chrome, time: Self.now))
        guard case .failed(let error) = outcome else {
            Issue.record("expected .failed, got \(outcome)")
            return
        }
        #expect(error.code == .salts)
        #expect(broken.counters.snapshot.failed == 1 && broken.counters.snapshot.invalid == 0)
    }

    @Test("hostile input never crashes: 100 KB user agents, invalid UTF-8, huge URLs")
    func hostile() {
        let huge = String(repeating: "Mozilla/5.0 ", count: 9000)
        _ = run("https://example.com/", agent: huge)
        let invalidUTF8 = String(
            decoding: [0x68, 0x74, 0x74, 0x70, 0x73, 0x3A, 0x2F, 0x2F, 0xFF, 0xFE, 0x2F], as: UTF8.self)
        guard case .invalid = run(invalidUTF8) else {
            Issue.record("a URL with invalid bytes in its host was accepted")
            return
        }
        guard case .invalid(let tooLong) = run("https://example.com/" + String(repeating: "a", count: 10_000)) else {
            Issue.record("a 10 KB URL was accepted")
            return
        }
        #expect(tooLong.map(\.message) == ["the URL is longer than 8192 bytes"], "the sender is told why")
        guard case .invalid(let longPath) = run("https://example.com/" + String(repeating: "é", count: 1500)) else {
            Issue.record("a 3 KB path was accepted")
            return
        }
        #expect(longPath.map(\.message) == ["the URL's path is longer than 2000 bytes"])
        guard case .invalid(let notHTTP) = run("ftp://example.com/") else {
            Issue.record("an ftp URL was accepted")
            return
        }
        #expect(notHTTP.map(\.message) == ["not an absolute http(s) URL"])
        #expect(pipeline.counters.snapshot.invalid >= 4)
    }

    @Test("no stored field ever contains the client's IP address, in any textual form", arguments: 0..<4)
    func ipNeverStored(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<250 {
            let v4 = random.next() % 2 == 0
            let text: String
            var forms: [String] = []
            if v4 {
                let value = UInt32(truncatingIfNeeded: random.next())
                text = "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
                forms = [text, String(value), String(value, radix: 16), "::ffff:" + text]
            } else {
                let groups = (0..<8).map { _ in String(random.next() % 0x10000, radix: 16) }
                text = groups.joined(separator: ":")
                forms = [text, groups.map { String(repeating: "0", count: 4 - $0.count) + $0 }.joined(separator: ":")]
            }
            guard let address = IPAddress(text) else { continue }
            let paths = ["/", "/pricing", "/blog/\(random.next() % 100)"]
            let outcome = pipeline.process(
                IncomingEvent(
                    name: random.next() % 4 == 0 ? "Signup" : "pageview",
                    url: "https://example.com\(paths[Int(random.next() % 3)])?utm_source=x",
                    domain: "example.com", referrer: "https://news.ycombinator.com/",
                    props: [("plan", .string("pro"))], screenWidth: 390),
                context: RequestContext(
                    peerAddress: "127.0.0.1", forwardedFor: text, userAgent: Self.chrome, time: Self.now))
            guard case .accepted(let hits) = outcome else { continue }
            for hit in hits {
                let stored =
                    StringField.allCases.map { hit[$0] } + hit.props.flatMap { [$0.key, $0.value] }
                    + [String(hit.visitorID), String(hit.visitorID, radix: 16)]
                for form in forms where form.count >= 4 {
                    #expect(!stored.contains { $0.contains(form) }, "\(form) leaked into \(stored)")
                }
                #expect(hit.visitorID != address.low && hit.visitorID != address.high)
            }
        }
    }
}
