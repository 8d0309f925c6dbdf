import Foundation
import Journal
import Synchronization

/// Read-only links to one site's dashboard (`/share/TOKEN`), kept in `<data>/shares.json` as
/// SHA-256 hashes of their tokens.
public final class ShareStore: Sendable {
    /// One link.
    public struct Share: Codable, Sendable, Hashable {
        /// A short public id (to revoke it).
        public var id: String
        /// The site it shows.
        public var site: String
        /// Hex SHA-256 of the token.
        public var sha256: String
    }

    /// The shares file.
    public var path: String { file.path }
    private let file: RegistryFile<Share>
    private let shares: Mutex<[Share]>
    private let stamp: Mutex<FileStamp?>

    /// The store at `path`.
    public init(path: String) throws {
        file = RegistryFile(path: path, mode: 0o600)
        let (entries, read) = try Self.read(file)
        shares = Mutex(entries)
        stamp = Mutex(read)
    }

    private static func read(_ file: RegistryFile<Share>) throws -> (entries: [Share], stamp: FileStamp?) {
        do {
            return try file.read()
        } catch {
            throw ServerError(
                "the shares file is not readable: \(error)", file: file.path,
                hint: "Restore it from a backup, or delete it and share again with `infinity sites share`")
        }
    }

    /// Reads the file again if another process changed it (the CLI beside a running server);
    /// returns whether it did. A file that does not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool {
        let now = FileStamp.of(file.path)
        guard now != stamp.withLock({ $0 }) else { return false }
        let (entries, read) = try Self.read(file)
        shares.withLock { $0 = entries }
        stamp.withLock { $0 = read }
        return true
    }

    /// Every link.
    public var all: [Share] { shares.withLock { $0 } }

    /// Creates a link for `site`; returns it and its token (shown once).
    public func create(site: String) throws -> (Share, String) {
        let token = HashedSecret.random(bytes: 24)
        let digest = HashedSecret.hash(token)
        let share = Share(id: String(digest.prefix(8)), site: site, sha256: digest)
        try shares.withLock { list in
            let updated = list + [share]
            try save(updated)
            list = updated
        }
        return (share, token)
    }

    /// Revokes a link; false if there is none with that id.
    public func revoke(id: String) throws -> Bool {
        try shares.withLock { list in
            let updated = list.filter { $0.id != id }
            guard updated.count != list.count else { return false }
            try save(updated)
            list = updated
            return true
        }
    }

    /// The site a token shows, compared in constant time against every stored hash.
    public func site(for token: String) -> String? {
        HashedSecret.match(token, in: shares.withLock { $0 }, hashOf: \.sha256)?.site
    }

    private func save(_ list: [Share]) throws {
        do {
            let written = try file.write(list)
            stamp.withLock { $0 = written }
        } catch {
            throw ServerError(
                "cannot write the shares file: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }
}
