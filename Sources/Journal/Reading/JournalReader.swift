/// Reads the journal block by block, in sequence order; usable while a writer appends.
///
/// A reader sees only whole, intact blocks. At the end of the last segment, a block that is still
/// being written (or was torn by a crash) ends the read quietly, because it was never acknowledged.
/// Anywhere else, a damaged block is an error naming its file and offset, never skipped silently.
public struct JournalReader: Sendable {
    /// The journal folder.
    public let directory: JournalDirectory

    /// A reader of the journal in `directory`.
    public init(directory: JournalDirectory) { self.directory = directory }

    /// Iterates the decoded blocks that `selection` admits.
    public func blocks(_ selection: BlockSelection = BlockSelection()) throws -> BlockIterator {
        BlockIterator(segments: try relevantSegments(from: selection.from), selection: selection)
    }

    /// Iterates block headers only (no payload is read), with the segment each is in.
    ///
    /// With `skipDamaged`, a damaged place is stepped over (to the next intact block) and noted in
    /// ``HeaderIterator/damaged`` instead of ending the walk with an error.
    public func headers(_ selection: BlockSelection = BlockSelection(), skipDamaged: Bool = false) throws
        -> HeaderIterator
    {
        var iterator = HeaderIterator(segments: try relevantSegments(from: selection.from), selection: selection)
        iterator.walk.skipDamaged = skipDamaged
        return iterator
    }

    private func relevantSegments(from sequence: UInt64) throws -> [JournalDirectory.Segment] {
        let all = try directory.segments()
        // The last segment that starts at or before `sequence` holds it; earlier ones cannot.
        let start = all.lastIndex { $0.firstSequence <= sequence } ?? 0
        return Array(all[start...])
    }
}

/// Walks segment after segment; shared by ``BlockIterator`` and ``HeaderIterator``.
struct SegmentWalk {
    let segments: [JournalDirectory.Segment]
    let selection: BlockSelection
    var index = 0
    var cursor: SegmentCursor?
    var skipDamaged = false
    var damaged: [DamagedRange] = []

    /// The next admitted block and its cursor, or nil at the end.
    mutating func next() throws -> (SegmentCursor, SegmentCursor.Found)? {
        while true {
            if cursor == nil {
                guard index < segments.count else { return nil }
                cursor = try SegmentCursor(segment: segments[index])
                if let until = selection.until, cursor!.header.firstSequence >= until { return nil }
            }
            switch try cursor!.next() {
            case .end:
                cursor = nil
                index += 1
            case .problem(let reason, let offset):
                let isLast = index == segments.count - 1
                var probe = cursor!
                let expected = cursor!.expectedSequence
                let resumed = try probe.resynchronize(after: offset)
                if isLast, resumed == nil {
                    return nil  // the unfinished or torn tail of the journal: never acknowledged
                }
                if skipDamaged {
                    let next = resumed?.header.firstSequence ?? segments[index + 1].firstSequence
                    damaged.append(
                        DamagedRange(file: segments[index].path, offset: offset, lostRecords: next - expected))
                    if let resumed {
                        cursor = probe
                        if let until = selection.until, resumed.header.firstSequence >= until { return nil }
                        if selection.admits(resumed.header) { return (probe, resumed) }
                    } else {
                        cursor = nil
                        index += 1
                    }
                    continue
                }
                throw JournalError(
                    .corrupt, "damaged block: \(reason)", file: segments[index].path, offset: offset,
                    hint: SegmentCursor.corruptHint)
            case .block(let found):
                if let until = selection.until, found.header.firstSequence >= until { return nil }
                if selection.admits(found.header) { return (cursor!, found) }
            }
        }
    }

    var isInLastSegment: Bool { index == segments.count - 1 }
}

/// Iterates decoded blocks; see ``JournalReader/blocks(_:)``.
public struct BlockIterator {
    private var walk: SegmentWalk
    private var buffer: [UInt8] = []

    init(segments: [JournalDirectory.Segment], selection: BlockSelection) {
        walk = SegmentWalk(segments: segments, selection: selection)
    }

    /// The next block, or nil at the end of the journal.
    public mutating func next() throws -> HitBlock? {
        guard let (cursor, found) = try walk.next() else { return nil }
        do {
            return try cursor.decode(found, buffer: &buffer)
        } catch let error as JournalError where walk.isInLastSegment {
            // A bad payload at the very end of the last segment is a torn tail, like a bad header.
            var probe = cursor
            if try probe.resynchronize(after: found.offset) == nil,
                found.offset + Int64(found.header.totalLength) == cursor.fileSize
            {
                return nil
            }
            throw error
        }
    }
}

/// A stretch of the journal that a damaged place made unreadable.
public struct DamagedRange: Sendable, Hashable {
    /// The segment file.
    public let file: String
    /// Where the damage starts in it.
    public let offset: Int64
    /// How many records were lost.
    public let lostRecords: UInt64

    /// A damaged range.
    public init(file: String, offset: Int64, lostRecords: UInt64) {
        self.file = file
        self.offset = offset
        self.lostRecords = lostRecords
    }
}

/// Iterates block headers; see ``JournalReader/headers(_:skipDamaged:)``.
public struct HeaderIterator {
    var walk: SegmentWalk

    /// The damaged places stepped over so far (only with `skipDamaged`).
    public var damaged: [DamagedRange] { walk.damaged }

    init(segments: [JournalDirectory.Segment], selection: BlockSelection) {
        walk = SegmentWalk(segments: segments, selection: selection)
    }

    /// A block header with the segment it is in and its offset there.
    public struct Entry: Sendable {
        /// The block's header.
        public let header: BlockHeader
        /// The segment holding the block.
        public let segment: JournalDirectory.Segment
        /// The block's byte offset in the segment.
        public let offset: Int64
        /// The segment's header.
        public let segmentHeader: SegmentHeader
    }

    /// The next header, or nil at the end of the journal.
    public mutating func next() throws -> Entry? {
        guard let (cursor, found) = try walk.next() else { return nil }
        return Entry(
            header: found.header, segment: walk.segments[walk.index], offset: found.offset,
            segmentHeader: cursor.header)
    }
}

/// Decodes blocks found by a ``HeaderIterator``, in any order, keeping the last segment open.
///
/// Not `Sendable`: give each thread its own loader.
public struct BlockLoader {
    private var cursor: SegmentCursor?
    private var path = ""
    private var buffer: [UInt8] = []

    /// A loader.
    public init() {}

    /// Reads, checks and decodes the block at `entry`; a damaged payload throws a corrupt error
    /// naming the file and offset.
    public mutating func load(_ entry: HeaderIterator.Entry) throws -> HitBlock {
        if cursor == nil || path != entry.segment.path {
            cursor = try SegmentCursor(segment: entry.segment)
            path = entry.segment.path
        }
        return try cursor!.decode(SegmentCursor.Found(header: entry.header, offset: entry.offset), buffer: &buffer)
    }
}
