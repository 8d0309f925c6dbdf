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
    private let capacity: Int
    private let lastSeen = Mutex<[UInt64: Int64]>([:])

    /// Ids from `salts`; sessions end after `sessionTimeout` ms of silence; at most `capacity` recent ids.
    public init(salts: any SaltSource, sessionTimeout: Int64 = 30 * 60_000, capacity: Int = 1 << 20) {
        self.salts = salts
        self.sessionTimeout = sessionTimeout
        self.capacity = capacity
    }

    /// The visitor id of a hit at `time` (ms UTC), or nil if the day's salt is gone (a hit from a
    /// day already rotated away cannot be given an id).
    public func visitorID(site: Site, address: IPAddress, userAgent: String, time: Int64) throws -> UInt64? {
        let day = site.localDay(of: time)
        guard let salt = try salts.salt(site: site.domain, day: day) else { return nil }
        let today = Self.hash(salt, site: site.domain, address: address, userAgent: userAgent)
        var previous: UInt64?
        if let yesterday = salts.existingSalt(site: site.domain, day: day - 1) {
            previous = Self.hash(yesterday, site: site.domain, address: address, userAgent: userAgent)
        }
        return lastSeen.withLock { seen in
            var id = today
            if let previous, let last = seen[previous], time - last <= sessionTimeout, seen[today] == nil {
                id = previous  // a session running over midnight keeps yesterday's id
            }
            seen[id] = max(seen[id] ?? time, time)
            if seen.count > capacity { prune(&seen, now: time) }
            return id
        }
    }

    private func prune(_ seen: inout [UInt64: Int64], now: Int64) {
        seen = seen.filter { now - $0.value <= sessionTimeout }
        if seen.count > capacity { seen.removeAll() }  // a flood of visitors: continuity is best effort
    }

    static func hash(_ salt: Salt, site: String, address: IPAddress, userAgent: String) -> UInt64 {
        var hasher = SipHash(key0: salt.k0, key1: salt.k1)
        hasher.combine(site)
        withUnsafeBytes(of: (address.high.bigEndian, address.low.bigEndian)) { hasher.combine($0) }
        hasher.combine(userAgent)
        return hasher.finalize() & Hit.visitorIDMask
    }
}
