import Foundation
import Journal

/// Bearer keys for the Stats API, kept in `<data>/keys.json` (mode 0600) as SHA-256 hashes: the key
/// itself is shown once, when it is created, and never stored.
public final class APIKeyStore: Sendable {
    /// One stored key.
    public struct Entry: Codable, Sendable, Hashable {
        /// A short public id (for listing and revoking).
        public var id: String
        /// What the key is for.
        public var name: String
        /// Hex SHA-256 of the key.
        public var sha256: String
        /// When it was created (ms UTC).
        public var created: Int64
        /// The sites it may read; empty for all.
        public var sites: [String]
    }

    /// The keys file.
    public var path: String { entries.file.path }
    private let entries: RegistryList<Entry>

    /// The store at `path` (created on the first key).
    public init(path: String) throws {
        entries = try RegistryList(
            path: path, noun: "API keys",
            hint: "Restore it from a backup, or delete it and create new keys with `infinity keys create`")
    }

    /// Reads the file again if another process changed it (the CLI beside a running server);
    /// returns whether it did. A file that does not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool { try entries.reloadIfChanged() }

    /// The keys, oldest first.
    public var all: [Entry] { entries.entries }

    /// Creates a key; returns its entry and the key itself (shown once).
    public func create(name: String, sites: [String]) throws -> (Entry, String) {
        let token = "im_" + HashedSecret.random(bytes: 32)
        let digest = HashedSecret.hash(token)
        let entry = Entry(
            id: String(digest.prefix(8)), name: name, sha256: digest,
            created: Int64(Date().timeIntervalSince1970 * 1000), sites: sites)
        try entries.update { list in
            list.append(entry)
            return (true, ())
        }
        return (entry, token)
    }

    /// Revokes the key with `id`; false if there is none.
    public func revoke(id: String) throws -> Bool {
        try entries.update { list in
            let before = list.count
            list.removeAll { $0.id == id }
            return (list.count != before, list.count != before)
        }
    }

    /// Takes `site` (deleted) off every key: a key for that site alone is revoked, since a key
    /// with no sites left would read every site; how many keys were revoked.
    @discardableResult
    public func removeSite(_ site: String) throws -> Int {
        try entries.update { list in
            let before = list.count
            guard list.contains(where: { $0.sites.contains(site) }) else { return (false, 0) }
            list.removeAll { $0.sites == [site] }
            for index in list.indices { list[index].sites.removeAll { $0 == site } }
            return (true, before - list.count)
        }
    }

    /// The entry of `token`, compared in constant time against every stored hash, as the keys file
    /// holds them now: a key the CLI created or revoked a moment ago counts at once.
    public func authenticate(_ token: String) -> Entry? {
        HashedSecret.match(token, in: entries.current, hashOf: \.sha256)
    }
}
