import Foundation
import Ingest
import Journal
import Logging
import Projections
import Query
import ServiceLifecycle

/// Brings administrative changes made beside a running server (`infinity sites`, `users`, `keys`,
/// `sites share`, `goals`, `funnels`) into it without a restart: it looks at the registry files every second and
/// reloads those another process replaced. A new site's hits are accepted, and counted in its own
/// time zone, from then on; a removed user, key or shared link stops working.
public struct RegistryWatcher: Service {
    /// The registered sites (the ingest pipeline's registry).
    public let sites: SiteStore
    /// Where each site's days begin, shared with the projection worker and the query engines.
    public let calendar: SiteCalendar
    /// The other stores to keep current.
    public let stores: [any ReloadableStore]
    /// Deleted sites' erasures (read before the sites, so a deleted site's records stop counting
    /// first), and the rollups whose day files of a deleted site are removed again in case a
    /// catch-up wrote one before the erasure was read.
    public let erasures: SiteErasures?
    /// The rollups those day files are removed from.
    public let rollups: RollupStore?
    /// How often the files are looked at.
    public let interval: Duration
    let logger: Logger

    /// A watcher.
    public init(
        sites: SiteStore, calendar: SiteCalendar, stores: [any ReloadableStore], erasures: SiteErasures? = nil,
        rollups: RollupStore? = nil, interval: Duration = .seconds(1), logger: Logger
    ) {
        self.sites = sites
        self.calendar = calendar
        self.stores = stores
        self.erasures = erasures
        self.rollups = rollups
        self.interval = interval
        self.logger = logger
    }

    /// Looks every ``interval`` until shutdown.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            check()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One look at every file.
    public func check() {
        do {
            if let erasures, try erasures.reloadIfChanged() {
                calendar.update(erasures: erasures.limits)
                for erasure in erasures.all where erasure.through == nil {
                    if try rollups?.removeSite(erasure.site) == true {
                        logger.info("removed the day files of deleted site \(erasure.site)")
                    }
                }
            }
        } catch {
            logger.error("the erasures file changed but cannot be read", metadata: ["error": "\(error)"])
        }
        do {
            if try sites.reloadIfChanged() { sitesChanged() }
        } catch {
            logger.error(
                "the sites file changed but cannot be read; keeping the sites as they were",
                metadata: ["error": "\(error)"])
        }
        for store in stores {
            do {
                if try store.reloadIfChanged() { logger.info("reloaded \(store.path)") }
            } catch {
                logger.error(
                    "\(store.path) changed but cannot be read; keeping it as it was", metadata: ["error": "\(error)"])
            }
        }
    }

    private func sitesChanged() {
        let before = calendar.zones
        let zones = sites.timeZones
        for (site, zone) in zones.sorted(by: { $0.key < $1.key }) {
            if let old = before[site], old.identifier != zone.identifier {
                logger.warning(
                    "\(site) now counts its days in \(zone.identifier) (was \(old.identifier)); run `infinity rebuild --site \(site)` to recount earlier days in it"
                )
            } else if before[site] == nil {
                logger.info("now counting \(site) (\(zone.identifier))")
            }
        }
        for site in before.keys where zones[site] == nil { logger.info("no longer counting \(site)") }
        calendar.update(zones: zones)
    }
}

/// A store kept in a file that another process may replace.
public protocol ReloadableStore: Sendable {
    /// The file.
    var path: String { get }
    /// Reads the file again if it changed; whether it did.
    func reloadIfChanged() throws -> Bool
}

extension APIKeyStore: ReloadableStore {}
extension UserStore: ReloadableStore {}
extension ShareStore: ReloadableStore {}
extension DefinitionStore: ReloadableStore {}
extension ReportStore: ReloadableStore {}
extension ImportedStore: ReloadableStore {}
