import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends blocks to the journal from one thread: takes the writer lock, recovers the tail of the
/// last segment, rolls and seals segments.
///
/// Not `Sendable`: a ``JournalWriter`` owns it and calls it only from its writer thread.
final class JournalAppender {
    let configuration: JournalConfiguration
    let directory: JournalDirectory
    let logger: Logger
    private let lock: FileLock
    private var active: ActiveSegment?
    /// The sequence number the next record gets.
    private(set) var nextSequence: UInt64
    /// How long the last block's fsync took, in seconds (nil when it was not synced).
    private(set) var lastSyncSeconds: Double?
    /// Bytes the last block took on disk.
    private(set) var lastBlockBytes = 0
    /// The UTC day (days since epoch) of the newest block written, which decides when to roll.
    private var activeDay: Int64?
    /// The active segment's recent payloads, which its next small block is compressed against.
    private let chain = LZ4Chain()

    private struct ActiveSegment {
        let file: OpenFile
        /// Bytes of the header and the blocks written.
        var size: Int64
        /// The file's length: `size` and the space reserved after it for the next blocks.
        var reserved: Int64
        /// Whether reserving more is worth trying (not after the file system refused).
        var mayReserve = true
        let headerLength: Int
        /// The segment's format version (a recovered segment may be older than this build's).
        let formatVersion: UInt16

        /// Whether the segment's format version allows linked blocks (2 or later).
        var allowsLinks: Bool { formatVersion >= SegmentHeader.linkedBlocksVersion }
        /// The payload layout new blocks of this segment use.
        var layout: BlockHeader.Layout { .newest(forFormatVersion: formatVersion) }
    }

    /// Uncompressed payload bytes after which the chain starts again with an independent block, so
    /// that reading any block needs at most this much of the blocks before it (and damage to one
    /// block costs at most the rest of its chain).
    static let chainLength = 256 << 10

    /// How much disk space the active segment reserves ahead of its blocks at a time. A block
    /// written into reserved space leaves the file's length as it is, so its `fdatasync` need not
    /// also commit the file system's journal; that made each sync a third cheaper and faster here
    /// (Docs/benchmarks.md). The reserve reads as zeros and is cut off when the segment is sealed.
    static let reserveStep: Int64 = 4 << 20

    private static let millisecondsPerDay: Int64 = 86_400_000

    /// Opens the journal for appending, creating the folder if needed, and recovers its tail.
    init(configuration: JournalConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.directory = JournalDirectory(path: configuration.directory)
        self.logger = logger
        try FileSystem.createDirectory(configuration.directory)
        guard FileSystem.isWritable(configuration.directory) else {
            throw JournalError(
                .notWritable, "the journal folder is not writable", file: configuration.directory,
                hint: "Give this user write access to the data folder, or pass another --data")
        }
        guard let lock = try FileLock.ifFree(configuration.directory + "/" + JournalDirectory.lockFileName) else {
            throw JournalError(
                .locked, "another infinity process is writing to this journal", file: configuration.directory,
                hint: "Stop the other `infinity serve` (or `generate`) first, or pass another --data")
        }
        self.lock = lock
        for name in try FileSystem.list(configuration.directory) where name.hasSuffix(JournalDirectory.temporarySuffix)
        {
            // A segment that was being created when a process died; it never held a record.
            try FileSystem.remove(configuration.directory + "/" + name)
        }
        nextSequence = 0
        let segments = try directory.segments()
        guard let last = segments.last else { return }
        try recover(last)
    }

    /// Checks the last segment block by block and cuts a torn tail. Damage followed by intact blocks
    /// is not a torn tail: that segment is sealed as it is (so `verify` and readers report it) and
    /// appending continues in a new segment.
    private func recover(_ segment: JournalDirectory.Segment) throws {
        let file = try OpenFile(path: segment.path, flags: O_RDWR)
        var cursor = try SegmentCursor(segment: segment, file: file)
        var lastHeader: BlockHeader?
        var validEnd = cursor.offset
        scan: while true {
            switch try cursor.next() {
            case .end:
                break scan
            case .block(let found):
                var scratch = [UInt8]()
                guard try cursor.readPayload(of: found, into: &scratch) else {
                    try cutOrSeal(
                        segment, file: file, cursor: &cursor, at: found.offset, validEnd: validEnd,
                        reason: "payload checksum mismatch", last: &lastHeader)
                    return
                }
                lastHeader = found.header
                validEnd = cursor.offset
            case .problem(let reason, let offset):
                try cutOrSeal(
                    segment, file: file, cursor: &cursor, at: offset, validEnd: validEnd, reason: reason,
                    last: &lastHeader)
                return
            }
        }
        if validEnd < cursor.fileSize {
            // Reserved space after the blocks. Intact blocks beyond zeros mean a hole (a power cut
            // that kept a later block but not an earlier one, or a damaged disk): damage.
            var probe = cursor
            if try probe.resynchronize(after: validEnd) != nil {
                try cutOrSeal(
                    segment, file: file, cursor: &cursor, at: validEnd, validEnd: validEnd,
                    reason: "zeros where a block belongs", last: &lastHeader)
                return
            }
            // The rest was never written; the next block reserves again.
            try file.truncate(to: validEnd)
            try file.sync()
        }
        nextSequence = lastHeader?.endSequence ?? cursor.header.firstSequence
        try continueOrSeal(file, cursor: cursor, size: validEnd, last: lastHeader)
    }

    /// Makes the recovered last segment the one to append to, unless it is sealed, or was written
    /// with other classifier versions: then it is sealed and the next append starts a segment whose
    /// header names the versions that made its records.
    private func continueOrSeal(_ file: OpenFile, cursor: SegmentCursor, size: Int64, last: BlockHeader?) throws {
        guard try file.isWritable() else { return }
        guard cursor.header.classifiers == configuration.classifiers else {
            try file.sync()
            try file.setMode(0o444)
            try file.sync()
            return
        }
        active = ActiveSegment(
            file: file, size: size, reserved: size, headerLength: cursor.headerLength,
            formatVersion: cursor.header.formatVersion)
        activeDay = last.map { Self.day(of: $0.minTimestamp) }
    }

    private func cutOrSeal(
        _ segment: JournalDirectory.Segment, file: OpenFile, cursor: inout SegmentCursor, at offset: Int64,
        validEnd: Int64, reason: String, last: inout BlockHeader?
    ) throws {
        var probe = cursor
        if try probe.resynchronize(after: offset) != nil {
            // Intact blocks follow: find where they end and never cut them.
            var end = probe.expectedSequence
            walk: while true {
                switch try probe.next() {
                case .block(let found): end = found.header.endSequence
                case .end:
                    // Reserved space after the last block: a sealed segment ends at its last block.
                    if probe.offset < probe.fileSize { try file.truncate(to: probe.offset) }
                    break walk
                case .problem: break walk
                }
            }
            logger.error(
                "journal segment is damaged in the middle; sealing it as it is and continuing in a new segment",
                metadata: [
                    "file": "\(segment.path)", "offset": "\(offset)", "reason": "\(reason)",
                    "hint": "run `infinity journal verify` to list the damage",
                ])
            try file.setMode(0o444)
            try file.sync()
            nextSequence = end
            return
        }
        // The torn write's bytes, not the reserved zeros after them.
        let torn = try cursor.writtenEnd(from: validEnd) - validEnd
        logger.warning(
            "cut a torn tail from the journal",
            metadata: [
                "file": "\(segment.path)", "offset": "\(validEnd)", "bytes": "\(torn)",
                "reason": "\(reason)",
            ])
        try file.truncate(to: validEnd)
        try file.sync()
        nextSequence = last?.endSequence ?? cursor.header.firstSequence
        try continueOrSeal(file, cursor: cursor, size: validEnd, last: last)
    }

    /// Encodes `hits` as the next block, writes it (rolling the segment first if needed) and syncs it
    /// per the policy. On a failed write the partial block is cut off again and nothing is lost.
    ///
    /// A block is compressed against the blocks before it in the active segment (a linked block),
    /// so that the small blocks of group commits stay nearly as compact as full ones.
    func append(_ hits: ArraySlice<Hit>) throws -> BlockHeader {
        // A segment of an older format version (recovered from an older build) gets its own layout.
        let raw = try BlockEncoder.columns(hits, layout: active?.layout ?? .newest)
        let day = Self.day(of: raw.minTimestamp)
        if let activeDay, day > activeDay { try sealActive() }
        if active?.allowsLinks != true || chain.bytesSinceRestart >= Self.chainLength { chain.restart() }
        var payload = BlockEncoder.compress(raw, chain: chain)
        if let segment = active, wouldOverflow(segment, with: payload) {
            try sealActive()
            payload = BlockEncoder.compress(raw, chain: chain)  // the first block of the next segment
        }
        return try write(payload)
    }

    /// Writes an already encoded (independent) payload as the next block.
    func append(_ payload: BlockEncoder.Payload) throws -> BlockHeader {
        let day = Self.day(of: payload.minTimestamp)
        if let segment = active,
            wouldOverflow(segment, with: payload) || activeDay.map({ day > $0 }) == true
                || segment.formatVersion < payload.layout.firstFormatVersion
        {
            try sealActive()
        }
        // The chain does not hold this payload, so the block after it starts a new chain.
        chain.restart()
        return try write(payload)
    }

    private func wouldOverflow(_ segment: ActiveSegment, with payload: BlockEncoder.Payload) -> Bool {
        segment.size + Int64(BlockHeader.size + payload.compressedLength) > configuration.segmentSizeLimit
            && segment.size > Int64(segment.headerLength)
    }

    private func write(_ payload: BlockEncoder.Payload) throws -> BlockHeader {
        let block = payload.block(firstSequence: nextSequence)
        let day = Self.day(of: block.header.minTimestamp)
        if active == nil { try createSegment() }
        var segment = active!
        let end = segment.size + Int64(block.bytes.count)
        if end > segment.reserved && segment.mayReserve {
            let target = max(end, min(segment.size + Self.reserveStep, configuration.segmentSizeLimit))
            if segment.file.reserve(upTo: target, from: segment.reserved) {
                segment.reserved = target
            } else {
                segment.mayReserve = false  // the block is appended as it would be without a reserve
            }
        }
        do {
            try block.bytes.withUnsafeBytes { try segment.file.write($0, at: segment.size) }
        } catch {
            try? segment.file.truncate(to: segment.size)
            segment.reserved = segment.size
            segment.mayReserve = true  // a full disk may have refused the reserve; try again next time
            active = segment
            chain.restart()
            throw error
        }
        lastSyncSeconds = nil
        if configuration.commit.sync == .everyBlock {
            let start = ContinuousClock.now
            try segment.file.syncData()
            lastSyncSeconds = (ContinuousClock.now - start).inSeconds
        }
        lastBlockBytes = block.bytes.count
        segment.size = end
        segment.reserved = max(segment.reserved, end)
        active = segment
        activeDay = activeDay.map { max($0, day) } ?? day
        nextSequence = block.header.endSequence
        return block.header
    }

    /// Flushes the active segment to the disk.
    func sync() throws { try active?.file.syncData() }

    /// Flushes and releases the journal (the active segment stays open for the next writer, without
    /// its reserve).
    func close() throws {
        if let segment = active { try cutReserve(of: segment) }
        try active?.file.sync()
        active = nil
        lock.release()
    }

    /// Seals the active segment: flushed, then made read-only; it is never written again.
    private func sealActive() throws {
        guard let segment = active else { return }
        try cutReserve(of: segment)
        try segment.file.sync()
        try segment.file.setMode(0o444)
        try segment.file.sync()
        active = nil
        activeDay = nil
        chain.restart()
    }

    /// Cuts the space reserved after the active segment's blocks.
    private func cutReserve(of segment: ActiveSegment) throws {
        guard segment.reserved > segment.size else { return }
        try segment.file.truncate(to: segment.size)
        active?.reserved = segment.size
    }

    /// Creates the next segment atomically: header into a temporary file, fsync, rename, fsync folder.
    private func createSegment() throws {
        let name = SegmentName.fileName(firstSequence: nextSequence)
        let path = configuration.directory + "/" + name
        let temporary = path + JournalDirectory.temporarySuffix
        let header = SegmentHeader(
            createdAt: Self.now(), firstSequence: nextSequence, classifiers: configuration.classifiers
        ).encoded()
        do {
            let file = try OpenFile(path: temporary, flags: O_RDWR | O_CREAT | O_TRUNC)
            try header.withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
            try FileSystem.rename(temporary, to: path)
            file.renamed(to: path)
            try FileSystem.syncDirectory(configuration.directory)
            active = ActiveSegment(
                file: file, size: Int64(header.count), reserved: Int64(header.count), headerLength: header.count,
                formatVersion: SegmentHeader.currentFormatVersion)
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
    }

    static func day(of timestamp: Int64) -> Int64 {
        timestamp >= 0 ? timestamp / millisecondsPerDay : (timestamp + 1) / millisecondsPerDay - 1
    }

    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
