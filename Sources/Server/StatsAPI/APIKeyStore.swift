import Foundation
import Journal
import Synchronization

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
    public var path: String { file.path }
    private let file: RegistryFile<Entry>
    private let entries: Mutex<[Entry]>
    private let stamp: Mutex<FileStamp?>

    /// The store at `path` (created on the first key).
    public init(path: String) throws {
        file = RegistryFile(path: path, mode: 0o600)
        let (loaded, read) = try Self.read(file)
        entries = Mutex(loaded)
        stamp = Mutex(read)
    }

    private static func read(_ file: RegistryFile<Entry>) throws -> (entries: [Entry], stamp: FileStamp?) {
        do {
            return try file.read()
        } catch {
            throw ServerError(
                "the API keys file is not readable: \(error)", file: file.path,
                hint: "Restore it from a backup, or delete it and create new keys with `infinity keys create`")
        }
    }

    /// Reads the file again if another process changed it (the CLI beside a running server);
    /// returns whether it did. A file that does not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool {
        let now = FileStamp.of(file.path)
        guard now != stamp.withLock({ $0 }) else { return false }
        let (loaded, read) = try Self.read(file)
        entries.withLock { $0 = loaded }
        stamp.withLock { $0 = read }
        return true
    }

    /// The keys, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    /// Creates a key; returns its entry and the key itself (shown once).
    public func create(name: String, sites: [String]) throws -> (Entry, String) {
        let token = "im_" + HashedSecret.random(bytes: 32)
        let digest = HashedSecret.hash(token)
        let entry = Entry(
            id: String(digest.prefix(8)), name: name, sha256: digest,
            created: Int64(Date().timeIntervalSince1970 * 1000), sites: sites)
        try entries.withLock { list in
            var updated = list
            updated.append(entry)
            try save(updated)
            list = updated
        }
        return (entry, token)
    }

    /// Revokes the key with `id`; false if there is none.
    public func revoke(id: String) throws -> Bool {
        try entries.withLock { list in
            guard list.contains(where: { $0.id == id }) else { return false }
            let updated = list.filter { $0.id != id }
            try save(updated)
            list = updated
            return true
        }
    }

    /// The entry of `token`, compared in constant time against every stored hash.
    public func authenticate(_ token: String) -> Entry? {
        HashedSecret.match(token, in: entries.withLock { $0 }, hashOf: \.sha256)
    }

    private func save(_ list: [Entry]) throws {
        do {
            let written = try file.write(list)
            stamp.withLock { $0 = written }
        } catch {
            throw ServerError(
                "cannot write the API keys file: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }
}
