import Foundation
import Journal

/// What parts of which log files are already in the journal, per site, so that importing the same
/// file again — or a rotated, grown or concatenated one — adds nothing.
///
/// A file is identified by its lines, not its name: an entry keeps the hash of its first line, how
/// many lines were imported, a chained hash over those lines, and the chained hash at every 4,096th
/// line (checkpoints). Wherever a log being imported contains a line that starts a known entry and
/// continues with the same lines, those lines are skipped.
///
/// Batches are committed with a small write-ahead step: before a batch of hits is appended, the
/// ledger records it as *pending* (with the journal position it will start at); once the block is
/// durable, the batch counts as imported, which the ledger's next write (the next batch's pending
/// record, or the end of the run) makes permanent. A run interrupted in between finds the batch
/// pending and checks the journal to see whether its block made it.
public struct ImportLedger: Sendable, Codable, Equatable {
    /// Lines between checkpoints.
    public static let checkpointInterval = 4096

    /// One imported stretch of lines.
    public struct Entry: Sendable, Codable, Equatable {
        /// Hash of the first line.
        public var first: UInt64
        /// Lines imported (or skipped as already imported) from the first on.
        public var lines: Int
        /// Chained hash of those lines.
        public var chain: UInt64
        /// Chained hash after each full ``ImportLedger/checkpointInterval`` lines.
        public var checkpoints: [UInt64]
    }

    /// A batch between "about to append" and "appended".
    public struct Pending: Sendable, Codable, Equatable {
        /// The entry as it will be once the batch is in (its index, or nil for a new entry).
        public var index: Int?
        /// That entry.
        public var entry: Entry
        /// The journal sequence the batch's block starts at.
        public var journalStart: UInt64
        /// Hits in the batch.
        public var hits: Int
    }

    /// The stretches imported.
    public var entries: [Entry] = []
    /// A batch whose append may or may not have happened.
    public var pending: Pending?

    /// An empty ledger.
    public init() {}

    /// The hash of one line (SipHash-2-4 under a fixed key: it identifies lines, it protects nothing).
    static func hash(_ line: ArraySlice<UInt8>) -> UInt64 {
        var hasher = SipHash(key0: 0x696E_6669_6E69_7479, key1: 0x6C65_6467_6572_0001)
        line.withUnsafeBytes { hasher.combine($0) }
        return hasher.finalize()
    }

    /// The chained hash after one more line.
    static func chain(_ previous: UInt64, _ lineHash: UInt64) -> UInt64 {
        var hasher = SipHash(key0: previous, key1: 0x636861696E000001)
        withUnsafeBytes(of: lineHash.littleEndian) { hasher.combine($0) }
        return hasher.finalize()
    }

    /// The ledger of `site` in `<dataDirectory>/imports/`.
    static func path(dataDirectory: String, site: String) -> String { dataDirectory + "/imports/" + site + ".ledger" }

    /// Loads the ledger at `path` (empty when there is none).
    static func load(_ path: String) throws -> ImportLedger {
        guard FileManager.default.fileExists(atPath: path) else { return ImportLedger() }
        do {
            return try JSONDecoder().decode(ImportLedger.self, from: Data(try AtomicFile.read(path)))
        } catch {
            throw IngestError(
                .importFailed, "the import ledger is not readable: \(error)", file: path,
                hint: "Restore it from a backup; without it, importing the same logs again would count them twice")
        }
    }

    /// Saves the ledger atomically.
    func save(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Array(try JSONEncoder().encode(self)), to: path)
        } catch {
            throw IngestError(
                .importFailed, "cannot write the import ledger: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }
}
