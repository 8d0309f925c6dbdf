#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Deletes whole sealed segments whose newest record is older than a cutoff.
///
/// Only a prefix of the journal goes (oldest segments first, stopping at the first one that holds a
/// newer record), so the journal stays one contiguous run of sequence numbers. The last segment,
/// which a writer may still append to, is never deleted.
public struct JournalRetention: Sendable {
    /// The journal folder.
    public let directory: JournalDirectory

    /// Retention over the journal in `directory`.
    public init(directory: JournalDirectory) { self.directory = directory }

    /// Deletes sealed segments whose every record is older than `cutoff` (ms since epoch UTC);
    /// returns the names of the deleted segments.
    @discardableResult
    public func deleteSegments(olderThan cutoff: Int64) throws -> [String] {
        // Compaction replaces sealed segments: one of them at a time.
        let lock = try MaintenanceLock(directory: directory)
        defer { lock.release() }
        let segments = try directory.segments()
        var deleted: [String] = []
        for segment in segments.dropLast() {
            let file = try OpenFile(path: segment.path, flags: O_RDONLY)
            guard try !file.isWritable() else { break }  // not sealed
            var cursor = try SegmentCursor(segment: segment, file: file)
            var newest = Int64.min
            walk: while true {
                switch try cursor.next() {
                case .end: break walk
                case .block(let found): newest = max(newest, found.header.maxTimestamp)
                case .problem(let reason, let offset):
                    throw JournalError(
                        .corrupt, "cannot tell the age of a damaged segment: \(reason)", file: segment.path,
                        offset: offset, hint: SegmentCursor.corruptHint)
                }
            }
            guard newest < cutoff else { break }
            try FileSystem.remove(segment.path)
            deleted.append(segment.name)
        }
        if !deleted.isEmpty { try FileSystem.syncDirectory(directory.path) }
        return deleted
    }
}
