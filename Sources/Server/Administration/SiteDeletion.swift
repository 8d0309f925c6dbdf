import Foundation
import Ingest
import Journal
import Logging
import Projections
import Query

/// Deleting a site with everything recorded of it, and adding a site again, the same way from
/// the CLI and the dashboard (beside a running server too).
///
/// Deleting records an erasure first (``SiteErasures``: from then on no fold, query, export or
/// realtime count sees the site's records), then unregisters the site (its hits are refused),
/// removes its goals, funnels, shared links, reports, imported history and access-log ledgers,
/// takes it off API keys (a key for it alone is revoked), and deletes its day files. The journal's
/// sealed segments that hold its records are then rewritten with each record replaced by an empty
/// placeholder (``eraseJournal(logger:)``); records in the segment being written today follow
/// when it is sealed at the next UTC day, by the server's compaction.
public struct SiteDeletion: Sendable {
    /// The data folder.
    public let dataDirectory: String
    /// The stores a site's settings live in.
    public let sites: SiteStore
    /// Deleted sites' erasures.
    public let erasures: SiteErasures
    /// Goals and funnels.
    public let definitions: DefinitionStore
    /// Shared dashboard links.
    public let shares: ShareStore
    /// Stats API keys.
    public let keys: APIKeyStore
    /// E-mail reports.
    public let reports: ReportStore
    /// Imported history (other tools' aggregates).
    public let imported: ImportedStore
    /// A running server's calendar, updated at once (the CLI's watcher updates the server's).
    public let calendar: SiteCalendar?

    /// A deletion over the stores of `dataDirectory`.
    public init(
        dataDirectory: String, sites: SiteStore, erasures: SiteErasures, definitions: DefinitionStore,
        shares: ShareStore, keys: APIKeyStore, reports: ReportStore, imported: ImportedStore,
        calendar: SiteCalendar? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.sites = sites
        self.erasures = erasures
        self.definitions = definitions
        self.shares = shares
        self.keys = keys
        self.reports = reports
        self.imported = imported
        self.calendar = calendar
    }

    /// The stores of `dataDirectory`, opened.
    public init(dataDirectory: String, sites: SiteStore, calendar: SiteCalendar? = nil) throws {
        self.init(
            dataDirectory: dataDirectory, sites: sites, erasures: try SiteErasures(dataDirectory: dataDirectory),
            definitions: try DefinitionStore(folder: dataDirectory),
            shares: try ShareStore(path: dataDirectory + "/shares.json"),
            keys: try APIKeyStore(path: dataDirectory + "/keys.json"),
            reports: try ReportStore(path: dataDirectory + "/reports.json"),
            imported: try ImportedStore(folder: dataDirectory), calendar: calendar)
    }

    /// What a deletion removed.
    public struct Removed: Sendable, Equatable {
        /// Goals and funnels removed.
        public var goalsAndFunnels = 0
        /// Shared links revoked.
        public var links = 0
        /// API keys revoked (keys for this site alone).
        public var keysRevoked = 0
        /// E-mail reports removed.
        public var reports = 0
        /// Imports of history removed.
        public var imports = 0
        /// Whether day files were deleted.
        public var dayFiles = false
    }

    /// Deletes `domain` and everything recorded of it except the journal's bytes, which
    /// ``eraseJournal(logger:)`` rewrites. Refused for a site that is not registered.
    public func delete(_ domain: String) throws -> Removed {
        guard let site = sites.site(for: domain.lowercased())?.domain else {
            throw ServerError(
                "'\(domain)' is not a registered site", code: "unknown-site",
                hint: "See the registered sites with `infinity sites list`")
        }
        // The erasure first: whatever happens after, the site's records no longer count.
        try erasures.erase(site: site)
        calendar?.update(erasures: erasures.limits)
        _ = try sites.remove(domain: site)
        calendar?.update(zones: sites.timeZones)
        var removed = Removed()
        removed.goalsAndFunnels = definitions.goals(of: site).count + definitions.funnels(of: site).count
        try definitions.removeAll(site: site)
        removed.links = try shares.revokeAll(site: site)
        removed.keysRevoked = try keys.removeSite(site)
        removed.reports = try reports.removeAll(site: site)
        removed.imports = try imported.removeAll(site: site)
        for suffix in [".ledger", ".lines"] {
            try? FileManager.default.removeItem(atPath: dataDirectory + "/imports/" + site + suffix)
        }
        removed.dayFiles = try RollupStore(dataDirectory: dataDirectory).removeSite(site)
        return removed
    }

    /// Rewrites the sealed journal segments that hold erased records (also compacting them); the
    /// records erased.
    public func eraseJournal(logger: Logger, progress: (JournalCompactor.Outcome) -> Void = { _ in }) throws
        -> UInt64
    {
        let journal = JournalDirectory(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: journal.path) else { return 0 }
        return try JournalCompactor(directory: journal).compact(
            erasing: erasures.limits, logger: logger, progress: progress
        ).reduce(0) { $0 + $1.erased }
    }

    /// Registers `domain` (again): a deleted site's erasure is closed at the journal's end first,
    /// so its old records stay erased and every hit accepted from now on counts.
    public func add(domain: String, timezone: String?, honorPrivacySignals: Bool? = nil) throws -> Added {
        let name = try SiteStore.normalise(domain)
        if erasures.all.contains(where: { $0.site == name && $0.through == nil }) {
            let journal = JournalDirectory(dataDirectory: dataDirectory)
            let end =
                FileManager.default.fileExists(atPath: journal.path)
                ? try JournalReader(directory: journal).endSequence() : 0
            try erasures.close(site: name, at: end)
            calendar?.update(erasures: erasures.limits)
        }
        let before = sites.entries.first { $0.domain == name }?.timezone
        let entry = try sites.add(domain: domain, timezone: timezone, honorPrivacySignals: honorPrivacySignals)
        calendar?.update(zones: sites.timeZones)
        return Added(entry: entry, previousTimezone: before == entry.timezone ? nil : before)
    }

    /// What ``add(domain:timezone:honorPrivacySignals:)`` did.
    public struct Added: Sendable {
        /// The site as registered now.
        public var entry: SiteStore.Entry
        /// The zone a registered site's days were counted in until now, when this changed it:
        /// its stored days are that zone's until ``recount(_:logger:)``.
        public var previousTimezone: String?
    }

    /// Counts a site's days again from the journal, in its time zone as registered now: after its
    /// zone changed, its stored days are the old zone's. A rebuild of this site alone (safe beside
    /// a running server); days whose journal records retention deleted stay as they were. Nil when
    /// there is no journal.
    public func recount(_ site: String, logger: Logger) throws -> RebuildReport? {
        let journal = JournalDirectory(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: journal.path) else { return nil }
        let calendar = SiteCalendar(zones: sites.timeZones, erasures: erasures.limits)
        return try Rebuilder(
            journal: journal, store: RollupStore(dataDirectory: dataDirectory), calendar: calendar,
            options: RebuildOptions(site: site), logger: logger
        ).run()
    }
}
