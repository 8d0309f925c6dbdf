import Foundation
import Journal
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
    /// The zone's offsets, remembered between its changes (the projections' days come from the
    /// same clock, so a hit's salt and its rollup agree on its day).
    private let clock: Mutex<LocalClock>

    /// A site in a time zone (UTC by default).
    public init(domain: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!, honorsPrivacySignals: Bool = false) {
        self.domain = domain
        self.honorsPrivacySignals = honorsPrivacySignals
        self.timeZone = timeZone
        self.clock = Mutex(LocalClock(zone: timeZone))
    }

    /// The site-local day (days since 1970-01-01 in the site's zone) that holds `timestamp` (ms UTC).
    public func localDay(of timestamp: Int64) -> Int64 { localDaySpan(of: timestamp).day }

    /// The site-local day that holds `timestamp` (ms UTC), and when it began (ms UTC) by the zone's
    /// offset at `timestamp`: on a day whose offset changes, the start is off by the change (an hour,
    /// or less, in every zone today).
    func localDaySpan(of timestamp: Int64) -> (day: Int64, start: Int64) {
        let offset = clock.withLock { $0.offset(at: timestamp) }
        let day = LocalClock.floorDivide(timestamp + offset, LocalClock.dayLength)
        return (day, day * LocalClock.dayLength - offset)
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
