import Foundation

/// Sites whose recorded hits were deleted (`erasures.json`): every record of the site below a
/// sequence number is erased. Folds and exports skip those records at once; compaction then
/// rewrites the sealed segments that hold them with each such record replaced by an empty
/// placeholder (same sequence number and time, no site, no fields), so the hits leave the disk.
///
/// An erasure is open while the site is deleted (every record of it, whenever written, is
/// erased) and closed at the journal's end when the site is added again, so that its new hits
/// count and its old ones stay erased.
public final class SiteErasures: Sendable {
    /// One site's erasure.
    public struct Erasure: Codable, Sendable, Equatable {
        /// The site.
        public var site: String
        /// Records of the site below this sequence number are erased; nil: all of them.
        public var through: UInt64?
        /// When its data was deleted (ISO 8601, UTC).
        public var requested: String
    }

    private let list: RegistryList<Erasure>

    /// The erasures of the data folder `dataDirectory`.
    public init(dataDirectory: String) throws {
        list = try RegistryList(
            path: dataDirectory + "/erasures.json", noun: "erasures",
            hint:
                "Restore it from a backup; without it, deleted sites' hits that are not yet rewritten would count again",
            mode: 0o644)
    }

    /// The file.
    public var path: String { list.file.path }

    /// Reads the file again if another process changed it; whether it did.
    public func reloadIfChanged() throws -> Bool { try list.reloadIfChanged() }

    /// The erasures now.
    public var all: [Erasure] { list.entries }

    /// Each erased site and the sequence number below which its records are erased.
    public var limits: [String: UInt64] {
        Dictionary(list.entries.map { ($0.site, $0.through ?? .max) }) { a, _ in a }
    }

    /// Erases every record of `site` (also records written from now until it is added again).
    public func erase(site: String) throws {
        _ = try reloadIfChanged()
        let now = ISO8601DateFormatter().string(from: Date())
        try list.update { entries in
            entries.removeAll { $0.site == site }
            entries.append(Erasure(site: site, through: nil, requested: now))
            return (true, ())
        }
    }

    /// `site` is added again: its records from `end` (the journal's end now) on count.
    public func close(site: String, at end: UInt64) throws {
        _ = try reloadIfChanged()
        try list.update { entries in
            guard let index = entries.firstIndex(where: { $0.site == site && $0.through == nil }) else {
                return (false, ())
            }
            entries[index].through = end
            return (true, ())
        }
    }

    /// An empty placeholder for an erased record: its time only, so that blocks keep their
    /// sequence numbers and time bounds.
    public static func placeholder(for hit: Hit) -> Hit {
        Hit(timestamp: hit.timestamp, site: "", name: "", pathname: "", visitorID: 0)
    }
}
