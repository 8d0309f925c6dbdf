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
    public let path: String
    private let shares: Mutex<[Share]>

    /// The store at `path`.
    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            do {
                shares = Mutex(try JSONDecoder().decode([Share].self, from: Data(try AtomicFile.read(path))))
            } catch {
                throw ServerError("the shares file is not readable: \(error)", file: path)
            }
        } else {
            shares = Mutex([])
        }
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
            try AtomicFile.write(Array(try JSONEncoder().encode(list)), to: path, mode: 0o600)
        } catch {
            throw ServerError("cannot write the shares file: \(error)", file: path)
        }
    }
}
