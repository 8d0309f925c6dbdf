#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Walks the blocks of one segment file, checking each header as it goes.
///
/// Recovery, reading and verification all walk segments with this one cursor, so they agree on
/// what a valid block is: a header with the right magic and checksum, a payload that fits in the
/// file, and a first sequence number that continues the previous block.
///
/// The segment a writer appends to ends in space reserved for its next blocks (zeros, see
/// `Docs/journal-format.md`): in a segment that is not sealed, a header of zero bytes is the end.
struct SegmentCursor {
    let file: OpenFile
    let fileSize: Int64
    /// Whether the segment is open (not sealed): only then may it end in reserved space.
    let isOpen: Bool
    let header: SegmentHeader
    let headerLength: Int
    /// Where the next block header is expected.
    private(set) var offset: Int64
    /// The sequence number the next block must start with.
    private(set) var expectedSequence: UInt64
    /// Offset of the independent block that started the chain of the last block found; nil after
    /// damage, until the next independent block.
    private(set) var chainStart: Int64?
    /// The payloads of the chain decoded last, for decoding linked blocks.
    private var history = ChainHistory()

    /// A block found by ``next()``.
    struct Found {
        let header: BlockHeader
        let offset: Int64
        /// Offset of the independent block that starts this block's chain (itself, if independent);
        /// nil when that chain is broken by damage before this block.
        let chainStart: Int64?
        var payloadOffset: Int64 { offset + Int64(BlockHeader.size) }
        var end: Int64 { offset + Int64(header.totalLength) }
    }

    /// What ``next()`` found.
    enum Step {
        case block(Found)
        case end
        /// A problem at `offset`: a torn or corrupt block.
        case problem(String, offset: Int64)
    }

    /// Opens a segment and reads its header.
    init(segment: JournalDirectory.Segment, file: OpenFile? = nil) throws {
        let file = try file ?? OpenFile(path: segment.path, flags: O_RDONLY)
        let size = try file.size()
        guard size > 0 else {
            throw JournalError(
                .emptySegment, "segment \(segment.name) is empty (0 bytes)", file: segment.path,
                hint:
                    "infinity creates segments atomically, so this file did not come from it; move it out of the journal folder"
            )
        }
        var buffer = [UInt8](repeating: 0, count: Int(min(size, Int64(SegmentHeader.maxSize))))
        _ = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        let decoded = buffer.withUnsafeBytes { SegmentHeader.decode($0) }
        switch decoded {
        case .success(let (header, length)):
            guard header.firstSequence == segment.firstSequence else {
                throw JournalError(
                    .corrupt,
                    "segment \(segment.name) says it starts at record \(header.firstSequence), but its name says \(segment.firstSequence)",
                    file: segment.path, offset: 0, hint: "The file was renamed or damaged; restore it from a backup")
            }
            self.file = file
            self.fileSize = size
            self.isOpen = try file.isWritable()
            self.header = header
            self.headerLength = length
            self.offset = Int64(length)
            self.expectedSequence = header.firstSequence
        case .failure(.newerVersion(let version)):
            throw JournalError(
                .unsupportedVersion,
                "segment \(segment.name) uses journal format version \(version); this build reads up to \(SegmentHeader.currentFormatVersion)",
                file: segment.path, offset: 8, hint: "Upgrade infinity to read this journal")
        case .failure(.notASegment):
            // Named like a segment, so most likely one whose header was overwritten.
            throw JournalError(
                .corrupt, "segment \(segment.name) has a damaged header (wrong magic bytes)", file: segment.path,
                offset: 0, hint: Self.corruptHint)
        case .failure(.needMore):
            throw JournalError(
                .emptySegment, "segment \(segment.name) is shorter (\(size) bytes) than its header", file: segment.path,
                offset: 0, hint: "Move that file out of the journal folder")
        case .failure(.badChecksum), .failure(.malformed):
            throw JournalError(
                .corrupt, "segment \(segment.name) has a damaged header", file: segment.path, offset: 0,
                hint: Self.corruptHint)
        }
    }

    /// Reads and checks the next block header.
    mutating func next() throws -> Step {
        if offset == fileSize { return .end }
        let (bytes, available) = try headerBytes(at: offset)
        // Zeros where the next header belongs: space reserved for blocks not written yet. (A read
        // cut short because the writer sealed the segment meanwhile leaves zeros too.)
        if isOpen && bytes.allSatisfy({ $0 == 0 }) { return .end }
        guard available == BlockHeader.size else {
            return .problem("\(available) bytes at the end are too few for a block header", offset: offset)
        }
        switch bytes.withUnsafeBytes({ BlockHeader.decode($0) }) {
        case .failure(let problem):
            return .problem(Self.describe(problem), offset: offset)
        case .success(let header):
            guard header.firstSequence == expectedSequence else {
                return .problem(
                    "block starts at record \(header.firstSequence), expected \(expectedSequence)", offset: offset)
            }
            guard Int64(header.totalLength) <= fileSize - offset else {
                return .problem(
                    "block of \(header.totalLength) bytes runs past the end of the file (\(fileSize - offset) left)",
                    offset: offset)
            }
            if self.header.formatVersion < SegmentHeader.linkedBlocksVersion, header.codec == .linked {
                return .problem(
                    "a linked block (format version 2) in a segment of format version \(self.header.formatVersion)",
                    offset: offset)
            }
            if self.header.formatVersion < header.layout.firstFormatVersion {
                return .problem(
                    "a block of payload layout \(header.layout.rawValue) (format version \(header.layout.firstFormatVersion)) in a segment of format version \(self.header.formatVersion)",
                    offset: offset)
            }
            if header.codec == .independent { chainStart = offset }
            let found = Found(header: header, offset: offset, chainStart: chainStart)
            offset += Int64(header.totalLength)
            expectedSequence = header.endSequence
            return .block(found)
        }
    }

    /// Whether the segment's blocks end at `offset`: the file ends there, or (in an open segment)
    /// the space reserved for later blocks starts there.
    func endsData(at offset: Int64) throws -> Bool {
        if offset >= fileSize { return true }
        guard isOpen else { return false }
        return try headerBytes(at: offset).bytes.allSatisfy { $0 == 0 }
    }

    /// Where the bytes written from `offset` on end: the file's end, or in an open segment the
    /// last byte that is not zero (the zeros after it are reserved space, not a torn write).
    func writtenEnd(from offset: Int64) throws -> Int64 {
        guard isOpen else { return fileSize }
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var end = offset
        var position = offset
        while position < fileSize {
            let read = try buffer.withUnsafeMutableBytes {
                try file.read(
                    into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<Int(min(Int64(chunk), fileSize - position))]),
                    at: position)
            }
            guard read > 0 else { break }
            if let last = buffer[0..<read].lastIndex(where: { $0 != 0 }) { end = position + Int64(last) + 1 }
            position += Int64(read)
        }
        return end
    }

    /// The bytes of a block header at `offset` (zeros past the end of the file), and how many of
    /// them the file holds.
    private func headerBytes(at offset: Int64) throws -> (bytes: [UInt8], available: Int) {
        var bytes = [UInt8](repeating: 0, count: BlockHeader.size)
        let available = Int(min(fileSize - offset, Int64(BlockHeader.size)))
        _ = try bytes.withUnsafeMutableBytes {
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<available]), at: offset)
        }
        return (bytes, available)
    }

    /// Reads a block's compressed payload into `buffer` (resized as needed) and checks its checksum.
    func readPayload(of block: Found, into buffer: inout [UInt8]) throws -> Bool {
        let length = Int(block.header.compressedLength)
        if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
        let read = try buffer.withUnsafeMutableBytes {
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<length]), at: block.payloadOffset)
        }
        guard read == length else { return false }
        return buffer.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<length])) == block.header.payloadChecksum
        }
    }

    /// Reads, checks and decodes a block; throws a corrupt error with file and offset.
    ///
    /// A linked block needs the payloads before it in its chain: when the previous decode was not
    /// of the block just before it, those are read and decompressed first.
    mutating func decode(_ block: Found, buffer: inout [UInt8]) throws -> HitBlock {
        do {
            if block.header.codec == .linked { try catchUp(to: block, scratch: &buffer) }
            let size = Int(block.header.uncompressedLength)
            let payload = UnsafeMutableRawBufferPointer.allocate(
                byteCount: size + BlockDecoder.payloadSlack, alignment: 8)
            defer { payload.deallocate() }
            payload.initializeMemory(as: UInt8.self, repeating: 0)
            try decompress(block, compressed: &buffer, into: payload)
            return try BlockDecoder.decode(
                header: block.header, payload: UnsafeRawBufferPointer(rebasing: payload[0..<size]))
        } catch var error as JournalError {
            error.file = file.path
            error.offset = block.offset
            error.hint = Self.corruptHint
            throw error
        }
    }

    /// Reads and checks `block`'s payload and decompresses it into `output` (a linked block against
    /// ``history``, which must reach up to it), then adds it to the history.
    private mutating func decompress(
        _ block: Found, compressed: inout [UInt8], into output: UnsafeMutableRawBufferPointer
    ) throws {
        guard try readPayload(of: block, into: &compressed) else {
            history.clear()
            throw JournalError(.corrupt, "block at record \(block.header.firstSequence) fails its payload checksum")
        }
        let header = block.header
        if header.codec == .independent { history.begin(at: block.offset) }
        try compressed.withUnsafeBytes { all in
            let input = UnsafeRawBufferPointer(rebasing: all[0..<Int(header.compressedLength)])
            switch header.codec {
            case .independent:
                try BlockDecoder.decompress(header: header, compressed: input, dictionary: nil, into: output)
            case .linked:
                try history.withDictionary {
                    try BlockDecoder.decompress(header: header, compressed: input, dictionary: $0, into: output)
                }
            }
        }
        history.append(UnsafeRawBufferPointer(rebasing: output[0..<Int(header.uncompressedLength)]), end: block.end)
    }

    /// Puts the payloads of `block`'s chain before it into ``history``, decompressing the blocks
    /// that the previous decode did not reach.
    private mutating func catchUp(to block: Found, scratch: inout [UInt8]) throws {
        guard let start = block.chainStart else {
            history.clear()
            throw JournalError(
                .corrupt,
                "block at record \(block.header.firstSequence) is compressed against earlier blocks that are damaged")
        }
        var position = start
        if history.start == start, history.end <= block.offset { position = history.end } else { history.clear() }
        var headerBytes = [UInt8](repeating: 0, count: BlockHeader.size)
        while position < block.offset {
            let read = try headerBytes.withUnsafeMutableBytes { try file.read(into: $0, at: position) }
            guard read == BlockHeader.size, case .success(let header) = headerBytes.withUnsafeBytes(BlockHeader.decode),
                (header.codec == .independent) == (position == start)
            else {
                history.clear()
                throw JournalError(
                    .corrupt,
                    "block at record \(block.header.firstSequence) is compressed against a damaged block at offset \(position)"
                )
            }
            let earlier = Found(header: header, offset: position, chainStart: start)
            var payload = [UInt8](repeating: 0, count: Int(header.uncompressedLength))
            do {
                try payload.withUnsafeMutableBytes { try decompress(earlier, compressed: &scratch, into: $0) }
            } catch let error as JournalError {
                history.clear()
                throw JournalError(
                    .corrupt,
                    "block at record \(block.header.firstSequence) is compressed against a damaged block: \(error.message)"
                )
            }
            position = earlier.end
        }
        guard position == block.offset, history.start == start else {
            history.clear()
            throw JournalError(
                .corrupt, "block at record \(block.header.firstSequence) does not follow the blocks of its chain")
        }
    }

    /// After a problem at `offset`, looks for the next intact block header that continues the
    /// journal (a later sequence number); moves the cursor there and returns it, or nil.
    mutating func resynchronize(after problemOffset: Int64) throws -> Found? {
        let chunk = 1 << 20
        var position = problemOffset + 1
        var buffer = [UInt8](repeating: 0, count: chunk + BlockHeader.size)
        let magic = withUnsafeBytes(of: BlockHeader.magic.littleEndian) { Array($0) }
        while position + Int64(BlockHeader.size) <= fileSize {
            let read = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: position) }
            guard read >= BlockHeader.size else { break }
            let candidate: (Int, BlockHeader)? = buffer.withUnsafeBytes { raw in
                var i = 0
                while i + BlockHeader.size <= read {
                    // Straight to the next byte that may start the magic (the reserved space at the
                    // end of an open segment is megabytes of zeros).
                    guard
                        let found = memchr(raw.baseAddress! + i, Int32(magic[0]), read - BlockHeader.size + 1 - i)
                    else { break }
                    i = raw.baseAddress!.distance(to: UnsafeRawPointer(found))
                    if raw[i + 1] == magic[1] && raw[i + 2] == magic[2] && raw[i + 3] == magic[3],
                        case .success(let header) = BlockHeader.decode(
                            UnsafeRawBufferPointer(rebasing: raw[i..<(i + BlockHeader.size)])),
                        header.firstSequence >= expectedSequence,
                        Int64(header.totalLength) <= fileSize - (position + Int64(i))
                    {
                        return (i, header)
                    }
                    i += 1
                }
                return nil
            }
            if let (index, header) = candidate {
                // A linked block after damage cannot be decompressed: its chain is broken.
                chainStart = header.codec == .independent ? position + Int64(index) : nil
                let found = Found(header: header, offset: position + Int64(index), chainStart: chainStart)
                offset = found.offset + Int64(header.totalLength)
                expectedSequence = header.endSequence
                return found
            }
            position += Int64(read - BlockHeader.size + 1)
        }
        return nil
    }

    static let corruptHint =
        "Run `infinity journal verify` for every damaged place, and restore the segment from a backup; or, to go on without those records, rebuild with --skip-corrupt (answers then say which records they leave out)"

    private static func describe(_ problem: BlockHeader.Problem) -> String {
        switch problem {
        case .badMagic: "no block header here (wrong magic bytes)"
        case .badChecksum: "block header fails its checksum"
        case .unsupported(let what): "block uses an unsupported \(what)"
        case .implausible(let what): "block header is implausible: \(what)"
        }
    }
}
