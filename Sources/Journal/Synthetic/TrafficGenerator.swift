/// Makes realistic synthetic traffic for demos, tests and benchmarks: sessions of several page
/// views from daily visitors, power-law page popularity, a realistic mix of referrers, countries,
/// browsers and devices, a daytime peak in each site's local time, and custom events with props
/// and revenue.
///
/// Output is deterministic: the same seed, site and day always give the same hits, whatever else
/// is generated, so a test can regenerate exactly what it wrote.
public struct TrafficGenerator: Sendable {
    /// A site to generate traffic for.
    public struct Site: Sendable, Hashable {
        /// The site's domain.
        public var domain: String
        /// The site's fixed offset from UTC in minutes (its "local day" runs from local midnight).
        public var utcOffsetMinutes: Int
        /// Number of distinct pages.
        public var pages: Int

        /// A site with the given domain, UTC offset and page count.
        public init(domain: String, utcOffsetMinutes: Int = 0, pages: Int = 500) {
            self.domain = domain
            self.utcOffsetMinutes = utcOffsetMinutes
            self.pages = max(1, pages)
        }
    }

    /// The sites.
    public let sites: [Site]
    /// The seed all randomness derives from.
    public let seed: UInt64
    /// The share of page views whose time on page and scroll depth the tracker reports
    /// (``Hit/engagement``); 0 (the default) makes none, and leaves every other hit as it was.
    public var engagement: Double = 0
    private let catalogues: [WeightedChoice<String>]
    private let profile = TrafficProfile.standard

    /// A generator for `sites` with `seed`.
    public init(sites: [Site], seed: UInt64 = 42) {
        self.sites = sites
        self.seed = seed
        catalogues = sites.enumerated().map { index, site in
            var random = SeededRandom(seed: seed, streams: 0xCA7A, UInt64(index))
            return WeightedChoice(zipf: Self.pagePaths(count: site.pages, random: &random), exponent: 1.1)
        }
    }

    /// Page paths of a site: the home page, a few fixed pages, then blog posts and docs pages.
    static func pagePaths(count: Int, random: inout SeededRandom) -> [String] {
        let fixed = [
            "/", "/pricing", "/blog", "/docs", "/about", "/signup", "/login", "/contact", "/features", "/changelog",
        ]
        let words = [
            "privacy", "analytics", "cookieless", "dashboard", "setup", "guide", "swift", "journal", "server",
            "metrics",
            "goals", "events", "import", "export", "api", "tracking", "gdpr", "performance", "release", "notes",
        ]
        var paths = Array(fixed.prefix(count))
        var seen = Set(paths)
        while paths.count < count {
            let first = words[Int(random.next() % UInt64(words.count))]
            let second = words[Int(random.next() % UInt64(words.count))]
            let path =
                random.next() % 3 == 0
                ? "/docs/\(first)/\(second)" : "/blog/\(first)-\(second)-\(random.next() % 1000)"
            if seen.insert(path).inserted { paths.append(path) }
        }
        return paths
    }

    /// The start of site-local day `day` (0-based from `firstDay`, a UTC midnight in ms) in UTC ms.
    public func localDayStart(site: Int, firstDay: Int64, day: Int) -> Int64 {
        firstDay + Int64(day) * 86_400_000 - Int64(sites[site].utcOffsetMinutes) * 60_000
    }

    /// About `hits` hits for one site on one site-local day, ordered by time.
    public func hits(site siteIndex: Int, firstDay: Int64, day: Int, count hits: Int) -> [Hit] {
        let site = sites[siteIndex]
        var random = SeededRandom(seed: seed, streams: UInt64(siteIndex), UInt64(day))
        let dayStart = localDayStart(site: siteIndex, firstDay: firstDay, day: day)
        let pages = catalogues[siteIndex]
        var result: [Hit] = []
        result.reserveCapacity(hits + 16)
        var visitors: [(id: UInt64, country: String, client: TrafficProfile.Client, screen: ScreenClass)] = []
        // Engagement reports draw from a stream of their own, so the other hits do not change.
        var engagementRandom = SeededRandom(seed: seed, streams: 0xE11A_0000 | UInt64(siteIndex), UInt64(day))
        while result.count < hits {
            // One session. A fifth come back from a visitor seen earlier that day (same daily id).
            let visitor: (id: UInt64, country: String, client: TrafficProfile.Client, screen: ScreenClass)
            if !visitors.isEmpty && random.unit() < 0.2 {
                visitor = visitors[Int(random.next() % UInt64(visitors.count))]
            } else {
                let device = profile.devices.pick(&random)
                let screen: ScreenClass =
                    switch device {
                    case .mobile: .mobile
                    case .tablet: .tablet
                    case .desktop: random.unit() < 0.45 ? .laptop : .desktop
                    case .tv, .unknown: .desktop
                    }
                visitor = (
                    random.next(), profile.countries.pick(&random), profile.clients[device]!.pick(&random), screen
                )
                visitors.append(visitor)
            }
            let referral = profile.referrals.pick(&random)
            let hour = profile.hourWeights.pick(&random)
            var time = dayStart + Int64(hour) * 3_600_000 + Int64(random.next() % 3_600_000)
            // Page views in the session: geometric, 45% of sessions are single-page (bounces).
            var pageviews = 1
            while random.unit() > 0.45 && pageviews < 40 { pageviews += 1 }
            let eventRoll = random.unit()
            let eventAfter = Int(random.next() % UInt64(pageviews))
            for index in 0..<pageviews {
                let first = index == 0
                var hit = Hit(
                    timestamp: time, site: site.domain, hostname: site.domain, pathname: pages.pick(&random),
                    referrer: first ? referral.referrer : "", source: first ? referral.source : "",
                    channel: first ? referral.channel : .direct, utm: first ? referral.utm : UTM(),
                    country: visitor.country, browser: visitor.client.browser,
                    browserVersion: visitor.client.browserVersion, os: visitor.client.os,
                    osVersion: visitor.client.osVersion, device: visitor.client.device, screen: visitor.screen,
                    visitorID: visitor.id)
                result.append(hit)
                if index == eventAfter && eventRoll < 0.08 {
                    time += Int64(random.next() % 20_000) + 500
                    hit.timestamp = time
                    hit.referrer = ""
                    hit.source = ""
                    hit.channel = .direct
                    hit.utm = UTM()
                    addEvent(to: &hit, roll: eventRoll, random: &random)
                    result.append(hit)
                }
                // Time on page: mostly under a minute, sometimes several; rarely past the 30-minute session gap.
                let dwell = -log(max(random.unit(), 1e-9)) * 50_000
                if engagement > 0 {
                    // Reports of this page view (a few hide the tab and come back: two reports), and
                    // now and then one sent before the visit's first page view, which counts nowhere.
                    let pageview = result[result.count - (index == eventAfter && eventRoll < 0.08 ? 2 : 1)]
                    if first && engagementRandom.unit() < 0.02 {
                        result.append(
                            Self.report(of: pageview, at: pageview.timestamp - 1000, random: &engagementRandom))
                    }
                    if engagementRandom.unit() < engagement {
                        let reports = engagementRandom.unit() < 0.2 ? 2 : 1
                        for part in 0..<reports {
                            let at =
                                pageview.timestamp + Int64(min(dwell, 2_400_000) * Double(part + 1) / Double(reports))
                            result.append(Self.report(of: pageview, at: at, random: &engagementRandom))
                        }
                    }
                }
                time += Int64(min(dwell, 2_400_000)) + 1000
            }
        }
        let dayEnd = dayStart + 86_400_000
        return result.filter { $0.timestamp >= dayStart && $0.timestamp < dayEnd }.sorted {
            $0.timestamp < $1.timestamp
        }
    }

    /// An engagement report on the page of `pageview`, sent at `at`.
    private static func report(of pageview: Hit, at: Int64, random: inout SeededRandom) -> Hit {
        var report = pageview
        report.timestamp = at
        report.name = Hit.engagement
        report.referrer = ""
        report.source = ""
        report.channel = .direct
        report.utm = UTM()
        report.flags = .nonInteractive
        report.props = [
            Property(Hit.engagedProperty, String(random.next() % 240)),
            Property(Hit.scrollProperty, String(10 + random.next() % 91)),
        ]
        return report
    }

    private func addEvent(to hit: inout Hit, roll: Double, random: inout SeededRandom) {
        switch roll {
        case ..<0.02:
            hit.name = "Signup"
            hit.props = [Property("plan", random.unit() < 0.7 ? "free" : "pro")]
        case ..<0.04:
            hit.name = "Download"
            hit.props = [Property("file", "infinity-\(1 + random.next() % 3).\(random.next() % 10).tar.gz")]
        case ..<0.06:
            hit.name = "Outbound Link: Click"
            hit.props = [Property("url", "https://github.com/infinity-metrics/example\(random.next() % 20)")]
        case ..<0.07:
            hit.name = "Purchase"
            let euro = random.unit() < 0.4
            hit.props = [Property("plan", random.unit() < 0.5 ? "business" : "pro"), Property("period", "yearly")]
            hit.revenue = Revenue(amount: Int64(900 + (random.next() % 190) * 100), currency: euro ? "EUR" : "USD")
        default:
            hit.name = "Scroll Depth"
            hit.props = [Property("depth", "\((1 + random.next() % 4) * 25)")]
            hit.flags = .nonInteractive
        }
    }

    /// Every site's hits for one UTC day, merged in time order, for a run of `days` site-local days
    /// starting at `firstDay`. A site-local day that straddles UTC midnight is split so that each hit
    /// lands in the UTC day that holds it; UTC days `-1...days` together hold every hit.
    public func hits(utcDay day: Int, firstDay: Int64, days: Int, countPerSite: Int) -> [Hit] {
        let start = firstDay + Int64(day) * 86_400_000
        let end = start + 86_400_000
        var merged: [Hit] = []
        for site in sites.indices {
            for localDay in [day - 1, day, day + 1] where localDay >= 0 && localDay < days {
                let localStart = localDayStart(site: site, firstDay: firstDay, day: localDay)
                guard localStart < end, localStart + 86_400_000 > start else { continue }
                merged += hits(site: site, firstDay: firstDay, day: localDay, count: countPerSite).filter {
                    $0.timestamp >= start && $0.timestamp < end
                }
            }
        }
        // Stable merge by time: equal timestamps keep site order.
        return merged.enumerated().sorted {
            ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset)
        }.map(\.element)
    }

    /// Every hit of a run, UTC day by UTC day, in the order `infinity generate` appends them.
    public func allHits(firstDay: Int64, days: Int, countPerSite: Int) -> [Hit] {
        (-1...days).flatMap { hits(utcDay: $0, firstDay: firstDay, days: days, countPerSite: countPerSite) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
