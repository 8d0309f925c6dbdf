#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Size and shape of a journal, from block headers alone (no payload is decompressed).
public struct JournalStats: Sendable {
    /// Segment files.
    public var segments = 0
    /// Sealed (read-only) segments.
    public var sealedSegments = 0
    /// Intact blocks.
    public var blocks = 0
    /// Records in intact blocks.
    public var records: UInt64 = 0
    /// Bytes the segment files' headers and blocks take.
    public var bytesOnDisk: Int64 = 0
    /// Bytes reserved on the disk after the open segment's blocks, for the blocks to come (cut off
    /// when it is sealed); not in ``bytesOnDisk``.
    public var reservedBytes: Int64 = 0
    /// Payload bytes before compression.
    public var uncompressedBytes: UInt64 = 0
    /// First and one-past-last sequence numbers.
    public var sequences: Range<UInt64>?
    /// Oldest and newest record timestamps, ms since epoch UTC.
    public var timeSpan: ClosedRange<Int64>?
    /// Every version each classifier had, with how many segments (holding blocks) named it: a
    /// journal written before and after a classifier changed shows both.
    public var classifierHistory: [String: [String: Int]] = [:]

    /// Bytes and records of the sealed segments, and of the open (newest, unsealed) one: live
    /// traffic's small blocks show in the open segment until compaction rewrites sealed ones.
    public var sealedBytes: Int64 = 0, sealedRecords: UInt64 = 0
    /// See ``sealedBytes``.
    public var openBytes: Int64 = 0, openRecords: UInt64 = 0
    /// Blocks in sealed segments.
    public var sealedBlocks = 0
    /// Whether sealed segments hold many more blocks than full blocks would need: then
    /// ``JournalCompactor`` would make them smaller.
    public var sealedNeedCompaction: Bool {
        sealedBlocks > 2
            * Int((sealedRecords + UInt64(CommitPolicy().maxRecords) - 1) / UInt64(CommitPolicy().maxRecords))
    }

    /// Disk bytes per record (0 for an empty journal).
    public var bytesPerRecord: Double { records == 0 ? 0 : Double(bytesOnDisk) / Double(records) }
    /// Disk bytes per record in sealed segments (0 without any).
    public var sealedBytesPerRecord: Double { sealedRecords == 0 ? 0 : Double(sealedBytes) / Double(sealedRecords) }
    /// Disk bytes per record in the open segment (0 without one).
    public var openBytesPerRecord: Double { openRecords == 0 ? 0 : Double(openBytes) / Double(openRecords) }

    /// Reads the statistics of the journal in `directory`.
    public init(directory: JournalDirectory) throws {
        let segments = try directory.segments()
        self.segments = segments.count
        var sealedPaths = Set<String>()
        for segment in segments {
            let file = try OpenFile(path: segment.path, flags: O_RDONLY)
            var size = try file.size()
            let isOpen = try file.isWritable()
            if isOpen {
                // Where its blocks end: the rest is reserved.
                var cursor = try SegmentCursor(segment: segment, file: file)
                while case .block = try cursor.next() {}
                reservedBytes += size - cursor.offset
                size = cursor.offset
            }
            bytesOnDisk += size
            if !isOpen {
                sealedSegments += 1
                sealedPaths.insert(segment.path)
                sealedBytes += size
            } else {
                openBytes += size
            }
        }
        var headers = try JournalReader(directory: directory).headers()
        var lastSegment: String?
        while let entry = try headers.next() {
            if entry.segment.path != lastSegment {
                lastSegment = entry.segment.path
                for (name, version) in entry.segmentHeader.classifiers {
                    classifierHistory[name, default: [:]][version, default: 0] += 1
                }
            }
            let header = entry.header
            blocks += 1
            records += UInt64(header.recordCount)
            if sealedPaths.contains(entry.segment.path) {
                sealedRecords += UInt64(header.recordCount)
                sealedBlocks += 1
            } else {
                openRecords += UInt64(header.recordCount)
            }
            uncompressedBytes += UInt64(header.uncompressedLength)
            sequences = (sequences?.lowerBound ?? header.firstSequence)..<header.endSequence
            timeSpan =
                min(
                    timeSpan?.lowerBound ?? .max, header.minTimestamp)...max(
                    timeSpan?.upperBound ?? .min, header.maxTimestamp)
        }
    }
}
