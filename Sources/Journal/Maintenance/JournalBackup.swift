import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Copies a journal into another folder while a writer may be appending to it, so that the copy is
/// a journal of its own: every sealed segment whole, the open one up to its last intact block.
///
/// Sealed segments never change except by compaction (which replaces them with a new file) or
/// retention (which deletes them), so a segment whose file stamp is the one recorded by the last
/// copy into the same folder is not copied again, and the maintenance lock keeps both away while
/// copying. The open segment is read as it is at that moment; a block the writer was still writing
/// is cut off, as recovery after a crash would. Segments the source no longer has are removed from
/// the copy, so that retention's deletions reach backups too.
public struct JournalBackup: Sendable {
    /// The journal copied.
    public let directory: JournalDirectory

    /// A backup of the journal in `directory`.
    public init(directory: JournalDirectory) { self.directory = directory }

    /// What one copy did.
    public struct Report: Sendable {
        /// Segments copied (new or changed since the last copy), by file name.
        public var copied: [String] = []
        /// Segments already in the copy, unchanged.
        public var unchanged: [String] = []
        /// Segments removed from the copy (retention removed them from the journal).
        public var removed: [String] = []
        /// Bytes written.
        public var bytes: Int64 = 0
        /// The copy holds records `0 ..< endSequence` (of those the journal still has).
        public var endSequence: UInt64 = 0
        /// The stamp of each sealed segment copied or kept, for the next copy.
        public var stamps: [String: String] = [:]
    }

    /// Copies the journal into `target` (a journal folder, created if needed). `previous` are the
    /// stamps the last copy into `target` reported.
    public func copy(to target: JournalDirectory, previous: [String: String]) throws -> Report {
        let lock = try MaintenanceLock(directory: directory)
        defer { lock.release() }
        try FileManager.default.createDirectory(atPath: target.path, withIntermediateDirectories: true)
        var report = Report()
        let segments = try directory.segments()
        for segment in segments {
            let destination = target.path + "/" + segment.name
            let open = try OpenFile(path: segment.path, flags: O_RDONLY)
            let sealed = try !open.isWritable()
            guard sealed else {
                report.endSequence = try copyOpen(segment, to: destination, report: &report)
                continue
            }
            let stamp = FileStamp.of(segment.path)?.text ?? ""
            report.stamps[segment.name] = stamp
            let header = try SegmentCursor(segment: segment, file: open)
            report.endSequence = max(report.endSequence, try lastSequence(header, segment: segment, file: open))
            if previous[segment.name] == stamp, FileStamp.of(destination)?.size == FileStamp.of(segment.path)?.size {
                report.unchanged.append(segment.name)
                continue
            }
            let bytes = try AtomicFile.read(segment.path)
            try AtomicFile.write(bytes, to: destination, mode: 0o444)
            report.copied.append(segment.name)
            report.bytes += Int64(bytes.count)
        }
        let kept = Set(segments.map(\.name))
        for name in try FileSystem.list(target.path) where name.hasSuffix(".seg") && !kept.contains(name) {
            unlink(target.path + "/" + name)
            report.removed.append(name)
        }
        try FileSystem.syncDirectory(target.path)
        return report
    }

    /// Copies the segment a writer appends to, up to its last intact block (not the space reserved
    /// after it); its end sequence. The blocks before that never change, so the copy is whole.
    private func copyOpen(_ segment: JournalDirectory.Segment, to destination: String, report: inout Report) throws
        -> UInt64
    {
        let file = try OpenFile(path: segment.path, flags: O_RDONLY)
        var cursor = try SegmentCursor(segment: segment, file: file)
        var end = cursor.header.firstSequence
        var validEnd = cursor.offset
        var scratch: [UInt8] = []
        scan: while true {
            switch try cursor.next() {
            case .block(let found):
                guard try cursor.readPayload(of: found, into: &scratch) else { break scan }
                end = found.header.endSequence
                validEnd = cursor.offset
            case .end, .problem:
                break scan
            }
        }
        var bytes = [UInt8](repeating: 0, count: Int(validEnd))
        let read = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        guard read == bytes.count else {
            throw JournalError(
                .corrupt, "the open segment became shorter while it was copied", file: segment.path,
                offset: Int64(read), hint: "Run the backup again")
        }
        try AtomicFile.write(bytes, to: destination, mode: 0o644)
        report.copied.append(segment.name)
        report.bytes += validEnd
        return end
    }

    /// The end sequence of a sealed segment (its last block's).
    private func lastSequence(_ start: SegmentCursor, segment: JournalDirectory.Segment, file: OpenFile) throws
        -> UInt64
    {
        var cursor = start
        var end = cursor.header.firstSequence
        while case .block(let found) = try cursor.next() { end = found.header.endSequence }
        return end
    }
}
