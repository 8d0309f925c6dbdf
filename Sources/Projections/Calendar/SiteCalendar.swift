import Foundation
import Synchronization

/// The time zone of every site, which decides where each site's days begin.
///
/// Projections do not read the sites file themselves (that belongs to the ingest side); the caller
/// passes the zones in, and may change them while the calendar is in use (a site added beside a
/// running server): every copy of a calendar shares its zones, so the live worker and the query
/// engines see the change at once. A site without a zone is counted in UTC.
public struct SiteCalendar: Sendable {
    private let shared: Zones

    /// The zone of each site, by domain.
    public var zones: [String: TimeZone] { shared.value.withLock { $0 } }

    /// A calendar with `zones`.
    public init(zones: [String: TimeZone] = [:]) { shared = Zones(zones) }

    /// Replaces the zones, for every copy of this calendar.
    public func update(zones: [String: TimeZone]) { shared.value.withLock { $0 = zones } }

    /// The zone of `site` (UTC when it has none).
    public func zone(of site: String) -> TimeZone {
        shared.value.withLock { $0[site] } ?? TimeZone(identifier: "UTC")!
    }

    /// A clock for `site`.
    public func clock(for site: String) -> LocalClock { LocalClock(zone: zone(of: site)) }

    /// The zones behind every copy of one calendar.
    private final class Zones: Sendable {
        let value: Mutex<[String: TimeZone]>
        init(_ zones: [String: TimeZone]) { value = Mutex(zones) }
    }
}
