import Foundation
import Journal

/// Which log lines are already in the journal, per site, line by line, so that importing the same
/// lines again — the same file, a cut copy, a rotated or overlapping file, a retry after a crash —
/// adds nothing, and every line not yet in is imported exactly once.
///
/// A line is identified by its content and its occurrence: the key of the *n*-th copy of a line
/// within one file is a hash of its bytes and *n* (``LineKey``). Identical lines are identical hits
/// (same time to the second, address, agent and page), so counting each key once counts each line
/// of the complete history once, whatever pieces of it were imported before. Only lines that were
/// parsed and decided (stored, or skipped for a stated reason) get a key; malformed lines and an
/// unfinished last line are left for a later import.
///
/// The keys are 8 bytes each in an append-only file beside the ledger (`<site>.lines`); the ledger
/// (`<site>.ledger`, JSON) says how many bytes of it are confirmed. A batch is committed with a
/// write-ahead step: the ledger records it as *pending* (the journal position its hits start at,
/// how many there are, and the key file's length before its keys), then its keys are appended and
/// fsynced, then its hits go to the journal. A run interrupted in between finds the batch pending
/// and keeps its keys only if its hits are in the journal.
public struct ImportLedger: Sendable, Codable, Equatable {
    /// The ledger format (1 had stretches of lines; 2 has a key per line).
    public var version = 2
    /// Bytes of the key file that are confirmed.
    public var keysLength: Int64 = 0
    /// A batch whose journal append may or may not have happened.
    public var pending: Pending?

    /// A batch between "about to append" and "appended".
    public struct Pending: Sendable, Codable, Equatable {
        /// The journal sequence the batch's hits start at.
        public var journalStart: UInt64
        /// Hits in the batch.
        public var hits: Int
        /// The key file's confirmed length before the batch.
        public var keysLength: Int64
        /// Keys the batch appends.
        public var keys: Int
        /// The spooled batch holding the hits, when they were handed to a running server
        /// (``JournalSpool``) rather than appended; then `journalStart` means nothing.
        public var spool: String?

        /// A pending batch.
        public init(journalStart: UInt64, hits: Int, keysLength: Int64, keys: Int, spool: String? = nil) {
            self.journalStart = journalStart
            self.hits = hits
            self.keysLength = keysLength
            self.keys = keys
            self.spool = spool
        }
    }

    /// An empty ledger.
    public init() {}

    /// The hash of one line (SipHash-2-4 under a fixed key: it identifies lines, it protects nothing).
    static func hash(_ line: ArraySlice<UInt8>) -> UInt64 {
        var hasher = SipHash(key0: 0x696E_6669_6E69_7479, key1: 0x6C65_6467_6572_0001)
        line.withUnsafeBytes { hasher.combine($0) }
        return hasher.finalize()
    }

    /// The key of the `occurrence`-th copy (from 1) of the line whose hash is `line`.
    static func key(line: UInt64, occurrence: Int) -> UInt64 {
        guard occurrence > 1 else { return line }
        var hasher = SipHash(key0: line, key1: 0x6F63_6375_7272_0001)
        withUnsafeBytes(of: UInt64(occurrence).littleEndian) { hasher.combine($0) }
        return hasher.finalize()
    }

    /// The ledger of `site` in `<dataDirectory>/imports/`.
    static func path(dataDirectory: String, site: String) -> String { dataDirectory + "/imports/" + site + ".ledger" }

    /// The key file beside the ledger at `ledgerPath`.
    static func keysPath(_ ledgerPath: String) -> String {
        String(ledgerPath.dropLast(".ledger".count)) + ".lines"
    }

    /// Loads the ledger at `path` (empty when there is none).
    static func load(_ path: String) throws -> ImportLedger {
        guard FileManager.default.fileExists(atPath: path) else { return ImportLedger() }
        let ledger: ImportLedger
        do {
            ledger = try JSONDecoder().decode(ImportLedger.self, from: Data(try AtomicFile.read(path)))
        } catch {
            throw IngestError(
                .importFailed,
                "the import ledger is not readable (or from an earlier version of infinity): \(error)", file: path,
                hint:
                    "Restore it from a backup; an import ledger of an earlier version cannot tell lines apart, so import into a new data folder, or delete the site's imported hits first"
            )
        }
        guard ledger.version == 2 else {
            throw IngestError(
                .importFailed, "the import ledger has version \(ledger.version); this build reads version 2",
                file: path, hint: "Upgrade infinity")
        }
        return ledger
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
