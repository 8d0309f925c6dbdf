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
    public func headers(_ selection: BlockSelection = BlockSelection()) throws -> HeaderIterator {
        HeaderIterator(segments: try relevantSegments(from: selection.from), selection: selection)
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
                if isLast, try probe.resynchronize(after: offset) == nil {
                    return nil  // the unfinished or torn tail of the journal: never acknowledged
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

/// Iterates block headers; see ``JournalReader/headers(_:)``.
public struct HeaderIterator {
    private var walk: SegmentWalk

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
