import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Rewrites sealed segments whose blocks are small — live traffic writes one block per group
/// commit, often a few dozen records — into full blocks: the same records, sequence numbers and
/// order, the same segment header, fewer and better-compressed blocks. A sealed segment of full
/// blocks compressed fast (an import's, or one an older build compacted) is recompressed with
/// LZ4HC once; every rewritten block is marked so (``BlockHeader/compressedHard``).
///
/// Each segment is replaced atomically: the new file is written beside it as
/// `<first>.compact.seg.tmp` (a name readers skip and the writer removes), fsynced, read back and
/// compared record for record, made read-only, then renamed over the old file and the folder
/// fsynced. A crash at any point leaves either the old segment or the new one, never both or
/// neither. Readers that opened the old file keep reading it; the writer never touches sealed
/// segments; retention and other compactions wait on the folder's `.maintenance` lock. Damaged
/// segments are left alone (their damage is named by offset elsewhere).
public struct JournalCompactor: Sendable {
    /// The journal folder.
    public let directory: JournalDirectory
    /// Records per block in the rewritten segments (the bulk writer's default).
    public let recordsPerBlock: Int

    /// Where a compaction may be made to crash, for the crash tests (`INFINITY_COMPACT_CRASH_AFTER`).
    public enum Step: String, Sendable, CaseIterable {
        /// The new file is written, not yet synced.
        case written
        /// The new file is synced and checked, not yet renamed.
        case synced
        /// The new file replaced the old one; the folder is not yet synced.
        case renamed
    }

    /// What happened to one segment.
    public struct Outcome: Sendable, Equatable {
        /// The segment's file name.
        public let name: String
        /// Records in it.
        public let records: UInt64
        /// Blocks and bytes before and after (equal when it was left alone).
        public let blocksBefore: Int, blocksAfter: Int
        /// Bytes on disk before and after.
        public let bytesBefore: Int64, bytesAfter: Int64
        /// Why it was left alone, or nil when it was rewritten.
        public let skipped: String?
        /// Records of erased sites replaced by placeholders (``SiteErasures``).
        public var erased: UInt64 = 0
    }

    /// LZ4HC's level for compacted blocks: written once, read by every rebuild and query after, and
    /// decoded as fast as LZ4's own (Docs/benchmarks.md).
    static let compressionLevel: Int32 = 9

    /// A compactor for the journal in `directory`.
    public init(directory: JournalDirectory, recordsPerBlock: Int = CommitPolicy().maxRecords) {
        self.directory = directory
        self.recordsPerBlock = max(1, min(recordsPerBlock, BlockEncoder.maxRecords))
    }

    /// The file name of the temporary copy of a segment being compacted.
    static func temporaryName(of segment: JournalDirectory.Segment) -> String {
        String(segment.name.dropLast(SegmentName.suffix.count)) + ".compact" + SegmentName.suffix
            + JournalDirectory.temporarySuffix
    }

    /// Compacts every sealed segment with small or fast-compressed blocks (the segment a writer
    /// appends to is not sealed, so it is never touched); `progress` hears of each segment as it is done. Records of
    /// the sites in `erasing` (site → the sequence number below which its records are erased,
    /// ``SiteErasures/limits``) are replaced by empty placeholders, and a segment holding any is
    /// rewritten even when its blocks are full.
    public func compact(
        erasing: [String: UInt64] = [:], crashAfter: Step? = nil, logger: Logger,
        progress: (Outcome) -> Void = { _ in }
    ) throws -> [Outcome] {
        let lock = try MaintenanceLock(directory: directory)
        defer { lock.release() }
        for name in try FileSystem.list(directory.path) where name.hasSuffix(".compact.seg.tmp") {
            try FileSystem.remove(directory.path + "/" + name)  // left by a compaction that died
        }
        var outcomes: [Outcome] = []
        // Only sealed segments (read-only): the writer never writes to one again.
        for segment in try directory.segments() {
            let outcome = try compact(segment, erasing: erasing, crashAfter: crashAfter, logger: logger)
            outcomes.append(outcome)
            progress(outcome)
        }
        return outcomes
    }

    private func compact(
        _ segment: JournalDirectory.Segment, erasing: [String: UInt64], crashAfter: Step?, logger: Logger
    ) throws -> Outcome {
        let file = try OpenFile(path: segment.path, flags: O_RDONLY)
        let bytesBefore = try file.size()
        var cursor = try SegmentCursor(segment: segment, file: file)
        var found: [SegmentCursor.Found] = []
        var records: UInt64 = 0
        func leave(_ reason: String) -> Outcome {
            Outcome(
                name: segment.name, records: records, blocksBefore: found.count, blocksAfter: found.count,
                bytesBefore: bytesBefore, bytesAfter: bytesBefore, skipped: reason)
        }
        guard try !file.isWritable() else { return leave("open: the writer still appends to it") }
        walk: while true {
            switch try cursor.next() {
            case .end: break walk
            case .block(let block):
                found.append(block)
                records += UInt64(block.header.recordCount)
            case .problem(let reason, let offset):
                logger.warning(
                    "not compacting a damaged segment", metadata: ["segment": "\(segment.name)", "offset": "\(offset)"])
                return leave("damaged at offset \(offset): \(reason) (see `infinity journal verify`)")
            }
        }
        let needed = Int((records + UInt64(recordsPerBlock) - 1) / UInt64(recordsPerBlock))
        // Blocks that may hold a record to erase (their site filter says so, and they begin below its limit).
        let mayErase = found.contains { block in
            erasing.contains { site, limit in
                block.header.firstSequence < limit && block.header.sites.mayContain(site)
            }
        }
        // Full blocks written fast (by an import, or by an older build's compaction) are
        // recompressed with LZ4HC once: sealed segments are read many times and never written again.
        let regroup = found.count > needed || found.contains { !$0.header.compressedHard }
        guard regroup || mayErase else { return leave("already compact") }

        // The old segment's header, byte for byte, then full blocks of the same records, in the
        // layout its format version allows.
        let layout = BlockHeader.Layout.newest(forFormatVersion: cursor.header.formatVersion)
        var header = [UInt8](repeating: 0, count: cursor.headerLength)
        _ = try header.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        let temporary = directory.path + "/" + Self.temporaryName(of: segment)
        var hits: [Hit] = []
        hits.reserveCapacity(Int(records))
        var buffer: [UInt8] = []
        for block in found {
            let decoded: HitBlock
            do {
                decoded = try cursor.decode(block, buffer: &buffer)
            } catch let error as JournalError where error.code == .corrupt {
                logger.warning(
                    "not compacting a damaged segment",
                    metadata: ["segment": "\(segment.name)", "offset": "\(block.offset)"])
                return leave("damaged at offset \(block.offset): \(error.message) (see `infinity journal verify`)")
            }
            for index in 0..<decoded.count { hits.append(decoded[index]) }
        }
        var erased: UInt64 = 0
        if mayErase {
            for index in hits.indices {
                if let limit = erasing[hits[index].site], segment.firstSequence + UInt64(index) < limit {
                    hits[index] = SiteErasures.placeholder(for: hits[index])
                    erased += 1
                }
            }
            if erased == 0 && !regroup { return leave("already compact") }
        }
        do {
            let output = try OpenFile(path: temporary, flags: O_RDWR | O_CREAT | O_TRUNC)
            var offset = Int64(0)
            try header.withUnsafeBytes { try output.write($0, at: offset) }
            offset += Int64(header.count)
            var sequence = segment.firstSequence
            var blocksAfter = 0
            var start = 0
            while start < hits.count {
                let end = min(start + recordsPerBlock, hits.count)
                let encoded = try BlockEncoder.encode(
                    hits[start..<end], firstSequence: sequence, level: Self.compressionLevel, layout: layout)
                try encoded.bytes.withUnsafeBytes { try output.write($0, at: offset) }
                offset += Int64(encoded.bytes.count)
                sequence = encoded.header.endSequence
                blocksAfter += 1
                start = end
            }
            if crashAfter == .written { Self.crash() }
            try output.sync()
            try check(temporary, against: hits, segment: segment)
            try output.setMode(0o444)
            try output.sync()
            if crashAfter == .synced { Self.crash() }
            try FileSystem.rename(temporary, to: segment.path)
            if crashAfter == .renamed { Self.crash() }
            try FileSystem.syncDirectory(directory.path)
            logger.info(
                "compacted a segment",
                metadata: [
                    "segment": "\(segment.name)", "blocks": "\(found.count) → \(blocksAfter)",
                    "bytes": "\(bytesBefore) → \(offset)",
                ])
            var outcome = Outcome(
                name: segment.name, records: records, blocksBefore: found.count, blocksAfter: blocksAfter,
                bytesBefore: bytesBefore, bytesAfter: offset, skipped: nil)
            outcome.erased = erased
            return outcome
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
    }

    /// Reads the new file back and compares it with the records it must hold.
    private func check(_ path: String, against hits: [Hit], segment: JournalDirectory.Segment) throws {
        let copy = JournalDirectory.Segment(name: segment.name, path: path, firstSequence: segment.firstSequence)
        var cursor = try SegmentCursor(segment: copy)
        var buffer: [UInt8] = []
        var index = 0
        while true {
            switch try cursor.next() {
            case .end:
                guard index == hits.count else {
                    throw JournalError(.corrupt, "the compacted copy lost records", file: path)
                }
                return
            case .block(let block):
                let decoded = try cursor.decode(block, buffer: &buffer)
                for record in 0..<decoded.count {
                    guard index < hits.count, decoded[record] == hits[index] else {
                        throw JournalError(.corrupt, "the compacted copy differs at record \(index)", file: path)
                    }
                    index += 1
                }
            case .problem(let reason, let offset):
                throw JournalError(.corrupt, "the compacted copy is unreadable: \(reason)", file: path, offset: offset)
            }
        }
    }

    /// Ends the process at once, as a crash would (the crash tests' hook).
    private static func crash() { kill(getpid(), SIGKILL) }
}

/// The journal folder's maintenance lock (`.maintenance`, `flock`): compaction and retention
/// rewrite or delete sealed segments, so they take turns. Readers and the writer never take it.
struct MaintenanceLock {
    static let fileName = ".maintenance"
    private let lock: FileLock

    /// Waits for and takes the lock.
    init(directory: JournalDirectory) throws {
        lock = try FileLock.waiting(for: directory.path + "/" + Self.fileName)
    }

    func release() { lock.release() }
}
