import Crypto
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
        var random = SystemRandomNumberGenerator()
        let token = APIKeyStore.hex((0..<24).map { _ in UInt8.random(in: 0...255, using: &random) })
        let digest = APIKeyStore.hex(Array(SHA256.hash(data: Array(token.utf8))))
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
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var found: String?
        for share in shares.withLock({ $0 }) {
            let stored = APIKeyStore.bytes(fromHex: share.sha256)
            var difference: UInt8 = stored.count == digest.count ? 0 : 1
            for index in 0..<min(stored.count, digest.count) { difference |= stored[index] ^ digest[index] }
            if difference == 0 { found = share.site }
        }
        return found
    }

    private func save(_ list: [Share]) throws {
        do {
            try AtomicFile.write(Array(try JSONEncoder().encode(list)), to: path, mode: 0o600)
        } catch {
            throw ServerError("cannot write the shares file: \(error)", file: path)
        }
    }
}
