import Foundation
import Journal
import Synchronization

/// Salts of an import, kept in `<data>/imports/<site>.salts` (mode 0600) only while an import of
/// that site is unfinished — so that a run interrupted and started again gives every visitor the
/// same daily id — and deleted when a run completes. Days of a log are usually long past, so these
/// salts are never the live ones (``SaltStore``) and never rotate while the import runs.
public final class ImportSalts: SaltSource {
    /// The salt file.
    public let path: String
    private let salts: Mutex<[SaltKey: Salt]>

    /// Opens the file at `path`, keeping the salts of an unfinished earlier run.
    public init(path: String) throws {
        self.path = path
        var loaded: [SaltKey: Salt] = [:]
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let day = Int64(parts[1]), let k0 = UInt64(parts[2].prefix(16), radix: 16),
                    let k1 = UInt64(parts[2].suffix(16), radix: 16)
                else { continue }
                loaded[SaltKey(site: String(parts[0]), day: day)] = Salt(k0: k0, k1: k1)
            }
        }
        salts = Mutex(loaded)
    }

    /// The salt of a day, created (and saved) on first use.
    public func salt(site: String, day: Int64) throws -> Salt? {
        try salts.withLock { salts in
            let key = SaltKey(site: site, day: day)
            if let salt = salts[key] { return salt }
            let salt = Salt.random()
            salts[key] = salt
            func hex(_ value: UInt64) -> String {
                let digits = String(value, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }
            let text = salts.map { "\($0.key.site) \($0.key.day) \(hex($0.value.k0))\(hex($0.value.k1))\n" }.joined()
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
            } catch {
                throw IngestError(.salts, "cannot save the import's salts: \(error)", file: path)
            }
            return salt
        }
    }

    /// The salt of a day, if one was made.
    public func existingSalt(site: String, day: Int64) -> Salt? {
        salts.withLock { $0[SaltKey(site: site, day: day)] }
    }

    /// Deletes the salts (the import is complete): nobody can recompute its visitor ids any more.
    public func discard() {
        salts.withLock { $0.removeAll() }
        try? FileManager.default.removeItem(atPath: path)
    }
}
