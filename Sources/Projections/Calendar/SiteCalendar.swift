import Foundation
import Journal
import Synchronization

/// The time zone of every site, which decides where each site's days begin, and the erased
/// records of deleted sites, which no fold counts.
///
/// Projections do not read the sites file themselves (that belongs to the ingest side); the caller
/// passes the zones in, and may change them while the calendar is in use (a site added beside a
/// running server): every copy of a calendar shares its zones, so the live worker and the query
/// engines see the change at once. A site without a zone is counted in UTC.
public struct SiteCalendar: Sendable {
    private let shared: Shared

    /// The zone of each site, by domain.
    public var zones: [String: TimeZone] { shared.value.withLock { $0.zones } }

    /// A calendar with `zones`, and `erasures` (site → the sequence number below which its
    /// records are erased, ``Journal/SiteErasures/limits``).
    public init(zones: [String: TimeZone] = [:], erasures: [String: UInt64] = [:]) {
        shared = Shared(State(zones: zones, erasures: erasures, erasureVersion: 0))
    }

    /// Replaces the zones, for every copy of this calendar.
    public func update(zones: [String: TimeZone]) { shared.value.withLock { $0.zones = zones } }

    /// Replaces the erasures, for every copy of this calendar.
    public func update(erasures: [String: UInt64]) {
        shared.value.withLock { state in
            guard state.erasures != erasures else { return }
            state.erasures = erasures
            state.erasureVersion += 1
        }
    }

    /// The erased sites and their limits now.
    public var erasures: [String: UInt64] { shared.value.withLock { $0.erasures } }

    /// Counts changes of ``erasures`` (folds kept from before a change must be folded again).
    public var erasureVersion: Int { shared.value.withLock { $0.erasureVersion } }

    /// The zone of `site` (UTC when it has none).
    public func zone(of site: String) -> TimeZone {
        shared.value.withLock { $0.zones[site] } ?? TimeZone(identifier: "UTC")!
    }

    /// A clock for `site`.
    public func clock(for site: String) -> LocalClock { LocalClock(zone: zone(of: site)) }

    private struct State {
        var zones: [String: TimeZone]
        var erasures: [String: UInt64]
        var erasureVersion: Int
    }

    /// The state behind every copy of one calendar.
    private final class Shared: Sendable {
        let value: Mutex<State>
        init(_ state: State) { value = Mutex(state) }
    }
}
