import Journal
import Synchronization

/// Computes daily visitor ids: `SipHash-2-4(salt(site, local day); site, IP, user agent)`, cut to
/// its low `Hit.visitorIDBits` bits.
///
/// The id changes every site-local day, so nothing links a visitor across days. A session that
/// runs over midnight keeps the previous day's id for the rest of the session: when yesterday's id
/// of the same visitor was active within the session timeout, it is reused. That needs a short
/// memory of recently active ids (never IPs), pruned as they expire and bounded in size.
public final class VisitorIdentifier: Sendable {
    private let salts: any SaltSource
    private let sessionTimeout: Int64
    private let recent: Mutex<RecentVisitors>

    /// Ids from `salts`; sessions end after `sessionTimeout` ms of silence (a negative timeout: a
    /// session never runs over midnight, and no ids are kept); at most `capacity` recent ids.
    public init(salts: any SaltSource, sessionTimeout: Int64 = 30 * 60_000, capacity: Int = 1 << 20) {
        self.salts = salts
        self.sessionTimeout = sessionTimeout
        self.recent = Mutex(RecentVisitors(sessionTimeout: sessionTimeout, capacity: capacity))
    }

    /// The visitor id of a hit at `time` (ms UTC), or nil if the day's salt is gone (a hit from a
    /// day already rotated away cannot be given an id).
    public func visitorID(site: Site, address: IPAddress, userAgent: String, time: Int64) throws -> UInt64? {
        let (day, dayStart) = site.localDaySpan(of: time)
        guard let salt = try salts.salt(site: site.domain, day: day) else { return nil }
        let today = Self.hash(salt, site: site.domain, address: address, userAgent: userAgent)
        guard sessionTimeout >= 0 else { return today }
        // Most hits cannot continue yesterday's session: they are told so without hashing again.
        // The day's start may be off by an offset change (an hour at most), so an hour is added.
        let nearMidnight = time - dayStart < sessionTimeout + 3_600_000
        if let id = recent.withLock({ $0.settled(today: today, at: time, nearMidnight: nearMidnight) }) {
            return id
        }
        let yesterday = salts.existingSalt(site: site.domain, day: day - 1).map {
            Self.hash($0, site: site.domain, address: address, userAgent: userAgent)
        }
        return recent.withLock { $0.assign(today: today, yesterday: yesterday, at: time) }
    }

    static func hash(_ salt: Salt, site: String, address: IPAddress, userAgent: String) -> UInt64 {
        var hasher = SipHash(key0: salt.k0, key1: salt.k1)
        hasher.combine(site)
        withUnsafeBytes(of: (address.high.bigEndian, address.low.bigEndian)) { hasher.combine($0) }
        hasher.combine(userAgent)
        return hasher.finalize() & Hit.visitorIDMask
    }
}
