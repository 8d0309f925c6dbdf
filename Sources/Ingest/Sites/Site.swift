import Foundation
import Synchronization

/// A registered site: its domain and the time zone its days are counted in.
public final class Site: Sendable {
    /// The domain, lower-case, without `www.` (e.g. `example.com`).
    public let domain: String
    /// The site's time zone; its local midnight starts a new day (and a new visitor salt).
    public let timeZone: TimeZone
    /// Whether hits from visitors whose browser asks not to be tracked (Global Privacy Control,
    /// Do Not Track) are dropped. Off by default, as in Plausible.
    public let honorsPrivacySignals: Bool
    private let cachedDay = Mutex<(start: Int64, end: Int64, day: Int64)>((0, 0, 0))

    /// A site in a time zone (UTC by default).
    public init(domain: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!, honorsPrivacySignals: Bool = false) {
        self.domain = domain
        self.honorsPrivacySignals = honorsPrivacySignals
        self.timeZone = timeZone
    }

    /// The site-local day (days since 1970-01-01 in the site's zone) that holds `timestamp` (ms UTC).
    public func localDay(of timestamp: Int64) -> Int64 {
        if let day = cachedDay.withLock({ $0.start <= timestamp && timestamp < $0.end ? $0.day : nil }) { return day }
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(timestamp) / 1000))) * 1000
        let local = timestamp + offset
        let day = local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
        // Cache the day's UTC span (one offset for the whole day; a DST change re-derives it).
        let start = day * 86_400_000 - offset
        let end = start + 86_400_000
        if timestamp >= start && timestamp < end { cachedDay.withLock { $0 = (start, end, day) } }
        return day
    }
}

/// Which domains are registered sites: the seam between ingest and wherever sites are stored.
public protocol SiteRegistry: Sendable {
    /// The site registered for `domain` (lower-case, without `www.`), if any.
    func site(for domain: String) -> Site?
}

/// Sites held in memory.
public struct StaticSiteRegistry: SiteRegistry {
    private let sites: [String: Site]

    /// A registry of `sites`.
    public init(_ sites: [Site]) {
        self.sites = Dictionary(sites.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The site for a domain.
    public func site(for domain: String) -> Site? { sites[domain] }
}
