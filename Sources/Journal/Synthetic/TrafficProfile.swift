/// The distributions synthetic traffic is drawn from: realistic shares of countries, devices,
/// browsers, operating systems, referrers and campaigns, shaped after public web-traffic statistics.
struct TrafficProfile: Sendable {
    struct Client: Sendable {
        let device: DeviceClass
        let browser: String
        let browserVersion: String
        let os: String
        let osVersion: String
    }

    struct Referral: Sendable {
        let referrer: String
        let source: String
        let channel: Channel
        let utm: UTM
    }

    let countries: WeightedChoice<String>
    let devices: WeightedChoice<DeviceClass>
    let clients: [DeviceClass: WeightedChoice<Client>]
    let referrals: WeightedChoice<Referral>
    /// Local hour of the day → relative traffic (a daytime peak, a night trough).
    let hourWeights: WeightedChoice<Int>

    static let standard = TrafficProfile()

    private init() {
        countries = WeightedChoice([
            ("US", 28), ("DE", 9), ("GB", 7), ("IN", 6), ("FR", 5), ("CA", 4), ("BR", 3.5), ("NL", 3), ("JP", 3),
            ("AU", 2.5), ("ES", 2.5), ("IT", 2.5), ("PL", 2), ("SE", 1.5), ("CH", 1.2), ("RU", 1.5), ("MX", 1.5),
            ("KR", 1), ("CN", 0.8), ("TR", 1), ("UA", 0.8), ("AT", 1), ("BE", 1), ("DK", 0.7), ("FI", 0.6),
            ("NO", 0.6), ("IE", 0.6), ("PT", 0.6), ("CZ", 0.6), ("RO", 0.5), ("AR", 0.6), ("CO", 0.4), ("CL", 0.3),
            ("ZA", 0.4), ("NG", 0.4), ("EG", 0.3), ("IL", 0.5), ("SG", 0.6), ("HK", 0.4), ("TW", 0.4), ("VN", 0.5),
            ("ID", 0.7), ("PH", 0.5), ("TH", 0.4), ("MY", 0.3), ("NZ", 0.4), ("GR", 0.3), ("HU", 0.3), ("PK", 0.3),
            ("BD", 0.2), ("", 1.5),
        ])
        devices = WeightedChoice([(.desktop, 55), (.mobile, 40), (.tablet, 4.5), (.tv, 0.5)])
        func client(
            _ device: DeviceClass, _ browser: String, _ versions: [String], _ os: String, _ osVersions: [String]
        )
            -> [(Client, Double)]
        {
            var result: [(Client, Double)] = []
            for (i, version) in versions.enumerated() {
                for (j, osVersion) in osVersions.enumerated() {
                    let weight = 1.0 / Double((i + 1) * (i + 1)) / Double(j + 1)
                    result.append(
                        (
                            Client(
                                device: device, browser: browser, browserVersion: version, os: os, osVersion: osVersion),
                            weight
                        ))
                }
            }
            let total = result.reduce(0) { $0 + $1.1 }
            return result.map { ($0.0, $0.1 / total) }
        }
        func scaled(_ share: Double, _ list: [(Client, Double)]) -> [(Client, Double)] {
            list.map { ($0.0, $0.1 * share) }
        }
        let desktop =
            scaled(40, client(.desktop, "Chrome", ["131", "130", "129", "128"], "Windows", ["10", "11"]))
            + scaled(12, client(.desktop, "Chrome", ["131", "130"], "macOS", ["10.15"]))
            + scaled(4, client(.desktop, "Chrome", ["131", "130"], "Linux", [""]))
            + scaled(3, client(.desktop, "Chrome", ["131"], "ChromeOS", ["16033"]))
            + scaled(7, client(.desktop, "Firefox", ["133", "132", "128"], "Windows", ["10", "11"]))
            + scaled(3, client(.desktop, "Firefox", ["133", "132"], "Linux", [""]))
            + scaled(12, client(.desktop, "Microsoft Edge", ["131", "130"], "Windows", ["10", "11"]))
            + scaled(13, client(.desktop, "Safari", ["18", "17"], "macOS", ["10.15"]))
            + scaled(3, client(.desktop, "Opera", ["114", "113"], "Windows", ["10"]))
            + scaled(1, client(.desktop, "Yandex Browser", ["24"], "Windows", ["10"]))
        let mobile =
            scaled(50, client(.mobile, "Chrome", ["131", "130", "129"], "Android", ["14", "13", "15", "12", "10"]))
            + scaled(33, client(.mobile, "Safari", ["18", "17"], "iOS", ["18.1", "17.6", "18.0", "16.7"]))
            + scaled(8, client(.mobile, "Samsung Internet", ["27", "26"], "Android", ["14", "13"]))
            + scaled(2, client(.mobile, "Firefox", ["133"], "Android", ["14"]))
            + scaled(2, client(.mobile, "UC Browser", ["13"], "Android", ["11", "10"]))
            + scaled(2, client(.mobile, "Chrome", ["131"], "iOS", ["18.1"]))
            + scaled(1, client(.mobile, "Opera", ["86"], "Android", ["13"]))
            + scaled(2, client(.mobile, "Android Browser", ["4"], "Android", ["9"]))
        let tablet =
            scaled(60, client(.tablet, "Safari", ["18", "17"], "iPadOS", ["18.1", "17.6"]))
            + scaled(40, client(.tablet, "Chrome", ["131", "130"], "Android", ["14", "13"]))
        let tv = client(.tv, "Chrome", ["120"], "Android", ["12"])
        clients = [
            .desktop: WeightedChoice(desktop), .mobile: WeightedChoice(mobile), .tablet: WeightedChoice(tablet),
            .tv: WeightedChoice(tv),
        ]

        var referrals: [(Referral, Double)] = [
            (Referral(referrer: "", source: "", channel: .direct, utm: UTM()), 38),
            (Referral(referrer: "google.com/", source: "Google", channel: .organicSearch, utm: UTM()), 32),
            (Referral(referrer: "bing.com/", source: "Bing", channel: .organicSearch, utm: UTM()), 4),
            (Referral(referrer: "duckduckgo.com/", source: "DuckDuckGo", channel: .organicSearch, utm: UTM()), 2.5),
            (Referral(referrer: "ecosia.org/", source: "Ecosia", channel: .organicSearch, utm: UTM()), 0.5),
            (Referral(referrer: "yandex.ru/", source: "Yandex", channel: .organicSearch, utm: UTM()), 0.5),
            (Referral(referrer: "facebook.com/", source: "Facebook", channel: .organicSocial, utm: UTM()), 3),
            (Referral(referrer: "t.co/", source: "Twitter", channel: .organicSocial, utm: UTM()), 2),
            (
                Referral(referrer: "reddit.com/r/programming", source: "Reddit", channel: .organicSocial, utm: UTM()),
                1.2
            ),
            (Referral(referrer: "reddit.com/r/webdev", source: "Reddit", channel: .organicSocial, utm: UTM()), 0.8),
            (Referral(referrer: "linkedin.com/", source: "LinkedIn", channel: .organicSocial, utm: UTM()), 1),
            (Referral(referrer: "news.ycombinator.com/", source: "Hacker News", channel: .referral, utm: UTM()), 2),
            (Referral(referrer: "youtube.com/", source: "YouTube", channel: .organicVideo, utm: UTM()), 1),
            (Referral(referrer: "chatgpt.com/", source: "ChatGPT", channel: .aiAssistant, utm: UTM()), 1.5),
            (Referral(referrer: "perplexity.ai/", source: "Perplexity", channel: .aiAssistant, utm: UTM()), 0.5),
            (Referral(referrer: "github.com/", source: "GitHub", channel: .referral, utm: UTM()), 1.5),
        ]
        let blogs = (1...40).map { "blog\($0).example.net/posts/\($0 * 7 % 13)" }
        for (i, blog) in blogs.enumerated() {
            let host = String(blog.split(separator: "/")[0])
            referrals.append(
                (Referral(referrer: blog, source: host, channel: .referral, utm: UTM()), 4.0 / Double(i + 2)))
        }
        for week in 1...8 {
            referrals.append(
                (
                    Referral(
                        referrer: "", source: "newsletter", channel: .email,
                        utm: UTM(source: "newsletter", medium: "email", campaign: "weekly-\(week)")), 0.3
                ))
        }
        for (campaign, term) in [
            ("brand", "infinity metrics"), ("competitor", "plausible alternative"), ("generic", "web analytics"),
        ] {
            referrals.append(
                (
                    Referral(
                        referrer: "google.com/", source: "Google", channel: .paidSearch,
                        utm: UTM(source: "google", medium: "cpc", campaign: campaign, content: "ad-1", term: term)), 0.7
                ))
        }
        self.referrals = WeightedChoice(referrals)
        hourWeights = WeightedChoice(
            (0..<24).map { hour in
                // Low at 4:00, high at 15:00 local time.
                let phase = Double(hour - 15) / 24.0 * 2 * Double.pi
                return (hour, 1.15 + cos(phase))
            })
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
