/// The journal's folder (`<data>/journal/`): its segment files in order, checked strictly.
public struct JournalDirectory: Sendable {
    /// Name of the writer's lock file.
    static let lockFileName = ".lock"
    /// Suffix of a segment being created (written, fsynced, then renamed into place).
    static let temporarySuffix = ".tmp"

    /// The folder's path.
    public let path: String

    /// A journal folder at `path`.
    public init(path: String) { self.path = path }

    /// The journal folder inside a data folder.
    public init(dataDirectory: String) { self.path = dataDirectory + "/journal" }

    /// One segment file.
    public struct Segment: Sendable, Hashable {
        /// The file's name.
        public let name: String
        /// Its full path.
        public let path: String
        /// The sequence number of its first record (from its name).
        public let firstSequence: UInt64
    }

    /// The segments, oldest first. Throws if the folder is missing or holds anything but segments.
    public func segments() throws -> [Segment] {
        let kind = FileSystem.kind(of: path)
        guard kind.exists else {
            throw JournalError(
                .notFound, "there is no journal folder at \(path)",
                hint: "Pass --data with the folder that `infinity serve` or `infinity generate` wrote to")
        }
        guard kind.isDirectory else {
            throw JournalError(.notFound, "\(path) is a file, not a journal folder", hint: "Pass --data with a folder")
        }
        var segments: [Segment] = []
        for name in try FileSystem.list(path) {
            if name == JournalDirectory.lockFileName || name == MaintenanceLock.fileName
                || name.hasSuffix(SegmentName.suffix + JournalDirectory.temporarySuffix)
            {
                continue
            }
            guard let first = SegmentName.firstSequence(of: name) else {
                throw JournalError(
                    .foreignFile, "the journal folder holds a file that is not a segment: \(name)",
                    file: path + "/" + name,
                    hint: "Only infinity's own segment files belong there; move that file elsewhere")
            }
            segments.append(Segment(name: name, path: path + "/" + name, firstSequence: first))
        }
        return segments.sorted { $0.firstSequence < $1.firstSequence }
    }
}
