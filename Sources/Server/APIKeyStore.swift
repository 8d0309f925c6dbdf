import Crypto
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
    public let path: String
    private let entries: Mutex<[Entry]>

    /// The store at `path` (created on the first key).
    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            do {
                entries = Mutex(try JSONDecoder().decode([Entry].self, from: Data(try AtomicFile.read(path))))
            } catch {
                throw ServerError(
                    "the API keys file is not readable: \(error)", file: path,
                    hint: "Restore it from a backup, or delete it and create new keys with `infinity keys create`")
            }
        } else {
            entries = Mutex([])
        }
    }

    /// The keys, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    /// Creates a key; returns its entry and the key itself (shown once).
    public func create(name: String, sites: [String]) throws -> (Entry, String) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = "im_" + Self.hex(bytes)
        let digest = Self.hex(Array(SHA256.hash(data: Array(token.utf8))))
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
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var found: Entry?
        for entry in entries.withLock({ $0 }) {
            let stored = Self.bytes(fromHex: entry.sha256)
            var difference: UInt8 = stored.count == digest.count ? 0 : 1
            for index in 0..<min(stored.count, digest.count) { difference |= stored[index] ^ digest[index] }
            if difference == 0 { found = entry }
        }
        return found
    }

    private func save(_ list: [Entry]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(Array(try encoder.encode(list)), to: path, mode: 0o600)
        } catch {
            throw ServerError(
                "cannot write the API keys file: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    static func bytes(fromHex text: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8?
        for character in text.utf8 {
            let value: UInt8
            switch character {
            case 48...57: value = character - 48
            case 97...102: value = character - 87
            default: return []
            }
            if let pending = high {
                result.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return result
    }
}
