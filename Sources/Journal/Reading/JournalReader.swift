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
    ///
    /// With `skipDamaged`, damage is stepped over and noted in ``BlockIterator/damaged``: a block
    /// whose header or payload is damaged, a segment whose header is, and records that no segment
    /// holds. Without it, each of those ends the walk with an error naming the place.
    public func blocks(_ selection: BlockSelection = BlockSelection(), skipDamaged: Bool = false) throws
        -> BlockIterator
    {
        var iterator = BlockIterator(segments: try relevantSegments(from: selection.from), selection: selection)
        iterator.walk.skipDamaged = skipDamaged
        return iterator
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
    /// Where the previous segment ended, to notice records that no segment holds.
    var previousEnd: UInt64?

    /// The next admitted block, or nil at the end; ``cursor`` is the cursor that found it.
    ///
    /// Only the block is returned, not a copy of the cursor: a copy kept while ``cursor`` decodes
    /// would share its chain history, and every linked block would then copy that history (up to
    /// 256 KiB) before adding its own payload.
    mutating func next() throws -> SegmentCursor.Found? {
        while true {
            // Nothing at or after `until` is wanted: the header there (perhaps still being written)
            // is not read at all.
            if let until = selection.until, let cursor, cursor.expectedSequence >= until { return nil }
            if cursor == nil {
                guard index < segments.count else { return nil }
                let segment = segments[index]
                if let until = selection.until, segment.firstSequence >= until { return nil }
                // Sequence numbers run on from one segment to the next: a jump means records that
                // no segment holds any more (a deleted or misplaced segment file).
                if let previousEnd, segment.firstSequence > previousEnd {
                    let gap = DamagedRange(
                        file: segment.path, offset: 0, firstSequence: previousEnd, endSequence: segment.firstSequence,
                        reason: "no segment holds them (a segment file before \(segment.name) is missing)")
                    try note(gap, hint: Self.missingHint)
                }
                previousEnd = nil
                do {
                    cursor = try SegmentCursor(segment: segment)
                } catch let error as JournalError
                    where skipDamaged && [.corrupt, .emptySegment, .foreignFile].contains(error.code)
                {
                    // The segment's own header is unreadable: its records are lost up to the next
                    // segment (the last segment's count is unknown).
                    let end = index + 1 < segments.count ? segments[index + 1].firstSequence : segment.firstSequence
                    damaged.append(
                        DamagedRange(
                            file: segment.path, offset: 0, firstSequence: segment.firstSequence, endSequence: end,
                            reason: error.message))
                    previousEnd = end
                    index += 1
                    continue
                }
            }
            switch try cursor!.next() {
            case .end:
                previousEnd = cursor!.expectedSequence
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
                let next = resumed?.header.firstSequence ?? segments[index + 1].firstSequence
                try note(
                    DamagedRange(
                        file: segments[index].path, offset: offset, firstSequence: expected, endSequence: next,
                        reason: "damaged block: \(reason)"),
                    hint: SegmentCursor.corruptHint)
                if let resumed {
                    cursor = probe
                    if let until = selection.until, resumed.header.firstSequence >= until { return nil }
                    if selection.admits(resumed.header) { return resumed }
                } else {
                    previousEnd = next
                    cursor = nil
                    index += 1
                }
            case .block(let found):
                if let until = selection.until, found.header.firstSequence >= until { return nil }
                if selection.admits(found.header) { return found }
            }
        }
    }

    /// Records `range` when stepping over damage, or throws it as an error naming the place.
    mutating func note(_ range: DamagedRange, hint: String) throws {
        guard skipDamaged else {
            throw JournalError(
                .corrupt, "journal records \(range.firstSequence)..<\(range.endSequence) are missing: \(range.reason)",
                file: range.file, offset: range.offset, hint: hint)
        }
        damaged.append(range)
    }

    static let missingHint =
        "Put the missing segment back from a backup; or, to go on without those records, rebuild with --skip-corrupt (answers then say which records they leave out)"

    var isInLastSegment: Bool { index == segments.count - 1 }
}

/// Iterates decoded blocks; see ``JournalReader/blocks(_:skipDamaged:)``.
public struct BlockIterator {
    var walk: SegmentWalk
    private var buffer: [UInt8] = []

    init(segments: [JournalDirectory.Segment], selection: BlockSelection) {
        walk = SegmentWalk(segments: segments, selection: selection)
    }

    /// The damaged places stepped over so far (only when skipping damage).
    public var damaged: [DamagedRange] { walk.damaged }

    /// The next block, or nil at the end of the journal.
    public mutating func next() throws -> HitBlock? {
        while true {
            guard let found = try walk.next() else { return nil }
            do {
                // Decoded by the walk's own cursor, which keeps the chain of linked blocks.
                return try walk.cursor!.decode(found, buffer: &buffer)
            } catch let error as JournalError {
                let cursor = walk.cursor!
                if walk.isInLastSegment {
                    // A bad payload at the very end of the last segment is a torn tail, like a bad header.
                    var probe = cursor
                    if try probe.resynchronize(after: found.offset) == nil, try cursor.endsData(at: found.end) {
                        return nil
                    }
                }
                guard walk.skipDamaged, error.code == .corrupt else { throw error }
                walk.damaged.append(DamagedRange(found, in: cursor.file.path, reason: error.message))
            }
        }
    }
}

extension DamagedRange {
    /// The records of a block whose header is intact but whose payload is not.
    init(_ found: SegmentCursor.Found, in file: String, reason: String) {
        self.init(
            file: file, offset: found.offset, firstSequence: found.header.firstSequence,
            endSequence: found.header.endSequence, reason: reason,
            time: found.header.minTimestamp..<(found.header.maxTimestamp + 1))
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
        /// Offset of the independent block that starts the block's chain (nil: broken by damage).
        let chainStart: Int64?
        /// The segment file as the walk read it, for ``BlockLoader``.
        let source: OpenSegment
    }

    /// The next header, or nil at the end of the journal.
    public mutating func next() throws -> Entry? {
        guard let found = try walk.next(), let cursor = walk.cursor else { return nil }
        return Entry(
            header: found.header, segment: walk.segments[walk.index], offset: found.offset,
            segmentHeader: cursor.header, chainStart: found.chainStart, source: OpenSegment(file: cursor.file))
    }
}

/// Decodes blocks found by a ``HeaderIterator``, in any order, from the files the headers were read
/// from (``OpenSegment``), so a segment compacted or deleted since is still read as listed.
///
/// Not `Sendable`: give each thread its own loader.
public struct BlockLoader {
    private var cursor: SegmentCursor?
    private var buffer: [UInt8] = []

    /// A loader.
    public init() {}

    /// Reads, checks and decodes the block at `entry`; a damaged payload throws a corrupt error
    /// naming the file and offset.
    public mutating func load(_ entry: HeaderIterator.Entry) throws -> HitBlock {
        if cursor == nil || cursor!.file !== entry.source.file {
            cursor = try SegmentCursor(segment: entry.segment, file: entry.source.file)
        }
        return try cursor!.decode(
            SegmentCursor.Found(header: entry.header, offset: entry.offset, chainStart: entry.chainStart),
            buffer: &buffer)
    }
}

extension DamagedRange {
    /// The records of the block at `entry`, whose payload turned out damaged.
    public init(_ entry: HeaderIterator.Entry, reason: String) {
        self.init(
            SegmentCursor.Found(header: entry.header, offset: entry.offset, chainStart: entry.chainStart),
            in: entry.segment.path, reason: reason)
    }
}
