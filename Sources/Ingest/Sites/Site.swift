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
    /// The last day asked for: from when until when (ms UTC) it holds, and when it began.
    private let cachedDay = Mutex<(from: Int64, until: Int64, day: Int64, start: Int64)>((0, 0, 0, 0))

    /// A site in a time zone (UTC by default).
    public init(domain: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!, honorsPrivacySignals: Bool = false) {
        self.domain = domain
        self.honorsPrivacySignals = honorsPrivacySignals
        self.timeZone = timeZone
    }

    /// The site-local day (days since 1970-01-01 in the site's zone) that holds `timestamp` (ms UTC).
    public func localDay(of timestamp: Int64) -> Int64 { localDaySpan(of: timestamp).day }

    /// The site-local day that holds `timestamp` (ms UTC), and when it began (ms UTC) by the zone's
    /// offset at `timestamp`: on a day whose offset changes, the start is off by the change (an hour,
    /// or less, in every zone today).
    func localDaySpan(of timestamp: Int64) -> (day: Int64, start: Int64) {
        if let span = cachedDay.withLock({
            $0.from <= timestamp && timestamp < $0.until ? (day: $0.day, start: $0.start) : nil
        }) {
            return span
        }
        let date = Date(timeIntervalSince1970: Double(timestamp) / 1000)
        let offset = Int64(timeZone.secondsFromGMT(for: date)) * 1000
        let local = timestamp + offset
        let day = local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
        let start = day * 86_400_000 - offset
        // Cache the part of the day that has this offset: up to the next change of offset, and
        // from the last one if it came earlier that day. (The day's end by today's offset is not
        // enough: after a spring-forward day it would be an hour late, and the next day's first
        // hour would get this day's salt.)
        var from = start
        var until = start + 86_400_000
        if let next = timeZone.nextDaylightSavingTimeTransition(after: date) {
            until = min(until, Self.milliseconds(next))
        }
        let dayBefore = Date(timeIntervalSince1970: Double(start - 86_400_000) / 1000)
        if let last = timeZone.nextDaylightSavingTimeTransition(after: dayBefore), Self.milliseconds(last) <= timestamp
        {
            from = max(from, Self.milliseconds(last))
        }
        if from <= timestamp && timestamp < until {
            cachedDay.withLock { $0 = (from, until, day, start) }
        }
        return (day, start)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
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
