import Foundation
import Journal
import Synchronization

/// Registered sites kept in `<data>/sites.json`, rewritten atomically on every change (temporary
/// file, fsync, rename, fsync folder), so a crash never leaves a half-written file.
public final class SiteStore: SiteRegistry {
    /// One site as stored.
    public struct Entry: Codable, Sendable, Hashable {
        /// The domain, lower-case, without `www.`.
        public var domain: String
        /// An IANA time zone name (e.g. `Europe/Berlin`).
        public var timezone: String
        /// Whether the site honours Global Privacy Control and Do Not Track (absent: no).
        public var honorPrivacySignals: Bool?

        /// An entry.
        public init(domain: String, timezone: String, honorPrivacySignals: Bool? = nil) {
            self.domain = domain
            self.timezone = timezone
            self.honorPrivacySignals = honorPrivacySignals
        }
    }

    /// The file.
    public var path: String { file.path }
    private let file: RegistryFile<Entry>
    private let state: Mutex<(entries: [Entry], sites: [String: Site], stamp: FileStamp?)>

    /// Opens the store at `path` (missing file: no sites).
    public init(path: String) throws {
        file = RegistryFile(path: path, mode: 0o644)
        let (entries, stamp) = try Self.read(file)
        state = Mutex((entries, Self.index(entries), stamp))
    }

    private static func read(_ file: RegistryFile<Entry>) throws -> (entries: [Entry], stamp: FileStamp?) {
        do {
            return try file.read()
        } catch {
            throw IngestError(
                .configuration, "the sites file is not valid JSON: \(error.localizedDescription)", file: file.path,
                hint: "Fix the file by hand, or move it away and add the sites again with `infinity sites add`")
        }
    }

    /// Reads the file again if another process changed it (`infinity sites add` beside a running
    /// server); returns whether it did. A file that does not parse is refused and the sites in
    /// memory stay as they were.
    public func reloadIfChanged() throws -> Bool {
        let stamp = FileStamp.of(file.path)
        guard stamp != state.withLock({ $0.stamp }) else { return false }
        let (entries, read) = try Self.read(file)
        state.withLock { $0 = (entries, Self.index(entries), read) }
        return true
    }

    private static func index(_ entries: [Entry]) -> [String: Site] {
        var sites: [String: Site] = [:]
        for entry in entries {
            sites[entry.domain] = Site(
                domain: entry.domain, timeZone: TimeZone(identifier: entry.timezone) ?? TimeZone(identifier: "UTC")!,
                honorsPrivacySignals: entry.honorPrivacySignals ?? false)
        }
        return sites
    }

    /// The site for a domain.
    public func site(for domain: String) -> Site? { state.withLock { $0.sites[domain] } }

    /// The time zone of every registered site, by domain (an unknown zone name counts as UTC).
    public var timeZones: [String: TimeZone] {
        state.withLock { Dictionary(uniqueKeysWithValues: $0.sites.map { ($0.key, $0.value.timeZone) }) }
    }

    /// All sites, sorted by domain.
    public var entries: [Entry] { state.withLock { $0.entries }.sorted { $0.domain < $1.domain } }

    /// Normalises what a user typed as a domain: lower-case, no scheme, path or `www.`.
    public static func normalise(_ text: String) throws -> String {
        var domain = text.trimmingSpaces.lowercased()
        if let scheme = domain.range(of: "://") { domain = String(domain[scheme.upperBound...]) }
        if let slash = domain.firstIndex(of: "/") { domain = String(domain[..<slash]) }
        if domain.hasPrefix("www.") { domain.removeFirst(4) }
        guard domain.contains("."), domain.count <= 253,
            domain.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "-" })
        else {
            throw IngestError(.configuration, "'\(text)' is not a domain name", hint: "Write it like example.com")
        }
        return domain
    }

    /// Adds a site, or changes its time zone and whether it honours privacy signals; what is not
    /// given stays as it was (a new site: UTC, signals not honoured).
    public func add(domain: String, timezone: String?, honorPrivacySignals: Bool? = nil) throws -> Entry {
        let domain = try Self.normalise(domain)
        if let timezone, TimeZone(identifier: timezone) == nil {
            throw IngestError(
                .configuration, "unknown time zone '\(timezone)'",
                hint: "Use an IANA name such as Europe/Berlin or America/New_York")
        }
        return try change { entries in
            let before = entries.first { $0.domain == domain }
            let entry = Entry(
                domain: domain, timezone: timezone ?? before?.timezone ?? "UTC",
                honorPrivacySignals: honorPrivacySignals ?? before?.honorPrivacySignals)
            entries.removeAll { $0.domain == domain }
            entries.append(entry)
            return (true, entry)
        }
    }

    /// Removes a site; returns false if it was not registered. Its data stays in the journal.
    public func remove(domain: String) throws -> Bool {
        let domain = try Self.normalise(domain)
        return try change { entries in
            guard entries.contains(where: { $0.domain == domain }) else { return (false, false) }
            entries.removeAll { $0.domain == domain }
            return (true, true)
        }
    }

    /// Applies `change` to the sites as the file holds them now, taking turns with other processes
    /// that change it (``RegistryFile/modify(known:read:write:_:)``): a site another process added
    /// a moment ago is kept.
    private func change<R: Sendable>(_ change: (inout [Entry]) -> (save: Bool, result: R)) throws -> R {
        try state.withLock { state in
            let outcome = try file.modify(
                known: (state.entries, state.stamp), read: { [file] in try Self.read(file) }, write: save, change)
            state = (outcome.entries, Self.index(outcome.entries), outcome.stamp)
            return outcome.result
        }
    }

    private func save(_ entries: [Entry]) throws -> FileStamp? {
        do {
            return try file.write(entries.sorted { $0.domain < $1.domain })
        } catch {
            throw IngestError(
                .configuration, "cannot write the sites file: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }
}
