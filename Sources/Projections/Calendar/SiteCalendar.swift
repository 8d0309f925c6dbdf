import Foundation

/// The time zone of every site, which decides where each site's days begin.
///
/// Projections do not read the sites file themselves (that belongs to the ingest side); the caller
/// passes the zones in. A site without a zone is counted in UTC.
public struct SiteCalendar: Sendable {
    /// The zone of each site, by domain.
    public let zones: [String: TimeZone]

    /// A calendar with `zones`.
    public init(zones: [String: TimeZone] = [:]) { self.zones = zones }

    /// The zone of `site` (UTC when it has none).
    public func zone(of site: String) -> TimeZone { zones[site] ?? TimeZone(identifier: "UTC")! }

    /// A clock for `site`.
    public func clock(for site: String) -> LocalClock { LocalClock(zone: zone(of: site)) }
}
