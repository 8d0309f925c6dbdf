import Foundation
import Journal
import Synchronization

/// Daily salts kept in one file (`<data>/salts`, mode `0600`), so that a restart keeps today's
/// visitor ids. A salt is created the first time a site's local day needs one, and deleted once
/// that day is more than a day behind the site's current day (so 24–48 hours after it ended):
/// after that, nobody, including us, can recompute or link that day's visitor ids.
///
/// Starting a site's new day deletes that site's older salts in the same write; ``rotate(currentDays:)``
/// does it for sites that had no traffic since. Every change rewrites the file atomically
/// (temporary file, fsync, rename, fsync folder).
public final class SaltStore: SaltSource {
    /// The salt file.
    public let path: String
    private let salts: Mutex<[SaltKey: Salt]>

    /// Opens (or creates) the salt file at `path`.
    public init(path: String) throws {
        self.path = path
        var loaded: [SaltKey: Salt] = [:]
        if FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw IngestError(
                    .salts, "cannot read the salt file", file: path,
                    hint: "Check its permissions (it should be 0600 and owned by this user)")
            }
            for (number, line) in text.split(separator: "\n").enumerated() {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let day = Int64(parts[1]), let salt = Salt(hex: parts[2]) else {
                    throw IngestError(
                        .salts, "line \(number + 1) of the salt file is malformed", file: path,
                        hint: "Delete the file to start new salts (today's visitors will be counted again once)")
                }
                loaded[SaltKey(site: String(parts[0]), day: day)] = salt
            }
        }
        salts = Mutex(loaded)
    }

    /// The salt of a site's local day, created and saved if missing.
    public func salt(site: String, day: Int64) throws -> Salt? {
        // Almost always the day's salt exists: no random bytes drawn (a getrandom call) for nothing.
        if let salt = existingSalt(site: site, day: day) { return salt }
        return try adopt(Salt.random(), site: site, day: day)
    }

    /// The salt of a site's local day: the one already kept, else `candidate`, saved (a salt agreed
    /// with other nodes). Nil for a day rotation already deleted, which is never recreated.
    public func adopt(_ candidate: Salt, site: String, day: Int64) throws -> Salt? {
        try salts.withLock { salts in
            let key = SaltKey(site: site, day: day)
            if let salt = salts[key] { return salt }
            // Never resurrect a day that rotation already deleted.
            if let newest = salts.keys.filter({ $0.site == site }).map(\.day).max(), day < newest - 1 { return nil }
            // A new day rotates the site's old salts away in the same atomic write, so rotation
            // never waits for a scheduler. Memory changes only once the file is saved: a salt that
            // only this process knew would give the day's visitors new ids after a restart.
            var updated = salts
            updated[key] = candidate
            for old in updated.keys where old.site == site && old.day < day - 1 { updated.removeValue(forKey: old) }
            try save(updated)
            salts = updated
            return candidate
        }
    }

    /// Whether the day's salt was deleted by rotation (or is older than a kept one by more than a
    /// day), so that it must never be made again.
    public func isRotatedAway(site: String, day: Int64) -> Bool {
        salts.withLock { salts in
            guard salts[SaltKey(site: site, day: day)] == nil else { return false }
            return salts.keys.contains { $0.site == site && day < $0.day - 1 }
        }
    }

    /// The salt of a site's local day, if it exists.
    public func existingSalt(site: String, day: Int64) -> Salt? {
        salts.withLock { $0[SaltKey(site: site, day: day)] }
    }

    /// Deletes every salt more than one day older than its site's current local day. Returns how
    /// many were deleted.
    @discardableResult
    public func rotate(currentDays: [String: Int64]) throws -> Int {
        try salts.withLock { salts in
            let old = salts.keys.filter { key in
                guard let current = currentDays[key.site] else { return false }
                return key.day < current - 1
            }
            guard !old.isEmpty else { return 0 }
            for key in old { salts.removeValue(forKey: key) }
            try save(salts)
            return old.count
        }
    }

    /// The days that have a salt, per site (for tests and `infinity` diagnostics; never the salts).
    public var days: [String: [Int64]] {
        salts.withLock { salts in Dictionary(grouping: salts.keys, by: \.site).mapValues { $0.map(\.day).sorted() } }
    }

    private func save(_ salts: [SaltKey: Salt]) throws {
        let text = salts.sorted { ($0.key.site, $0.key.day) < ($1.key.site, $1.key.day) }
            .map { "\($0.key.site) \($0.key.day) \($0.value.hex)\n" }.joined()
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
        } catch let error as JournalError where error.code == .diskFull {
            throw IngestError(
                .diskFull, "cannot write the salt file: \(error.message)", file: path,
                hint: "The disk is full: free space; hits are taken again once the file can be written")
        } catch {
            throw IngestError(
                .salts, "cannot write the salt file: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }
}
