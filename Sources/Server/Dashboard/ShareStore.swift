import Foundation
import Journal

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
    public var path: String { shares.file.path }
    private let shares: RegistryList<Share>

    /// The store at `path`.
    public init(path: String) throws {
        shares = try RegistryList(
            path: path, noun: "shares",
            hint: "Restore it from a backup, or delete it and share again with `infinity sites share`")
    }

    /// Reads the file again if another process changed it (the CLI beside a running server);
    /// returns whether it did. A file that does not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool { try shares.reloadIfChanged() }

    /// Every link.
    public var all: [Share] { shares.entries }

    /// Creates a link for `site`; returns it and its token (shown once).
    public func create(site: String) throws -> (Share, String) {
        let token = HashedSecret.random(bytes: 24)
        let digest = HashedSecret.hash(token)
        let share = Share(id: String(digest.prefix(8)), site: site, sha256: digest)
        try shares.update { list in
            list.append(share)
            return (true, ())
        }
        return (share, token)
    }

    /// Revokes a link; false if there is none with that id.
    public func revoke(id: String) throws -> Bool {
        try shares.update { list in
            let before = list.count
            list.removeAll { $0.id == id }
            return (list.count != before, list.count != before)
        }
    }

    /// Revokes every link of `site` (when it is deleted); how many there were.
    @discardableResult
    public func revokeAll(site: String) throws -> Int {
        try shares.update { list in
            let before = list.count
            list.removeAll { $0.site == site }
            return (list.count != before, before - list.count)
        }
    }

    /// The site a token shows, compared in constant time against every stored hash, as the links
    /// file holds them now.
    public func site(for token: String) -> String? {
        HashedSecret.match(token, in: shares.current, hashOf: \.sha256)?.site
    }
}
