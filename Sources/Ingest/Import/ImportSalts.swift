import Foundation
import Journal

/// Salts of an import: derived per site and day from one random secret that lives at most
/// ``lifetime`` (48 hours, as long as a live day's salt).
///
/// The secret is kept in `<data>/imports/<site>.salts` (mode 0600) so that an import interrupted
/// and run again, or a cut copy of a log followed by the whole log, gives every visitor the same
/// daily id: the numbers equal one clean import. Once the secret is older than its lifetime, the
/// next import (or `infinity serve`'s hourly sweep) deletes it, after which nobody can recompute
/// the import's visitor ids. One secret instead of one stored salt per day means a log spanning
/// years costs one file write, not one per day. These are never the live salts (``SaltStore``).
public final class ImportSalts: SaltSource {
    /// The secret's file.
    public let path: String
    private let secret: Salt

    /// How long a secret is kept after it was made.
    public static let lifetime: TimeInterval = 48 * 3600

    /// Opens the secret of an earlier run younger than ``lifetime``, or makes (and saves) a new one.
    public init(path: String, now: Date = Date()) throws {
        self.path = path
        Self.deleteIfExpired(path, now: now)
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let line = text.split(separator: "\n").first, line.count == 32,
            let k0 = UInt64(line.prefix(16), radix: 16), let k1 = UInt64(line.suffix(16), radix: 16)
        {
            secret = Salt(k0: k0, k1: k1)
            return
        }
        secret = Salt.random()
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Array((hex(secret.k0) + hex(secret.k1) + "\n").utf8), to: path, mode: 0o600)
        } catch {
            throw IngestError(.salts, "cannot save the import's secret: \(error)", file: path)
        }
    }

    /// The salt of a site's day: two keyed hashes of (site, day) under the secret.
    public func salt(site: String, day: Int64) throws -> Salt? { derive(site: site, day: day) }

    /// The same as ``salt(site:day:)``: every day's salt exists while the secret does.
    public func existingSalt(site: String, day: Int64) -> Salt? { derive(site: site, day: day) }

    private func derive(site: String, day: Int64) -> Salt {
        func part(_ tweak: UInt64) -> UInt64 {
            var hasher = SipHash(key0: secret.k0 ^ tweak, key1: secret.k1)
            hasher.combine(site)
            withUnsafeBytes(of: day.littleEndian) { hasher.combine($0) }
            return hasher.finalize()
        }
        return Salt(k0: part(0x6B30), k1: part(0x6B31))
    }

    /// Deletes the secret now: nobody can recompute its visitor ids any more.
    public func discard() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Deletes the secret at `path` if it was made more than ``lifetime`` before `now`.
    static func deleteIfExpired(_ path: String, now: Date) {
        guard let made = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
            now.timeIntervalSince(made) > lifetime
        else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Deletes every import secret in `<dataDirectory>/imports` older than ``lifetime``.
    public static func sweep(dataDirectory: String, now: Date = Date()) {
        let folder = dataDirectory + "/imports"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".salts")
        {
            deleteIfExpired(folder + "/" + name, now: now)
        }
    }
}
