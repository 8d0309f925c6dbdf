import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small JSON file holding a list of entries (sites, users, keys, shared links), replaced
/// atomically on every change, and what tells a running process that another one changed it.
public struct RegistryFile<Entry: Codable & Sendable>: Sendable {
    /// The file.
    public let path: String
    /// Its permission bits.
    public let mode: mode_t

    /// The file at `path`, written with permission bits `mode`.
    public init(path: String, mode: mode_t) {
        self.path = path
        self.mode = mode
    }

    /// The entries (none when the file does not exist) and the file's stamp when read. Throws the
    /// decoder's error for a file that is not such a list.
    public func read() throws -> (entries: [Entry], stamp: FileStamp?) {
        let stamp = FileStamp.of(path)
        guard stamp != nil else { return ([], nil) }
        return (try JSONDecoder().decode([Entry].self, from: Data(try AtomicFile.read(path))), stamp)
    }

    /// Replaces the file with `entries` (pretty-printed, keys sorted); returns its new stamp.
    @discardableResult
    public func write(_ entries: [Entry]) throws -> FileStamp? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try AtomicFile.write(Array(try encoder.encode(entries)), to: path, mode: mode)
        return FileStamp.of(path)
    }
}

/// What identifies one version of a file: its inode, size and modification time. Files replaced
/// with ``AtomicFile`` get a new inode each time, so a changed file always has a changed stamp.
public struct FileStamp: Sendable, Hashable {
    let inode: UInt64
    /// The file's size in bytes.
    public let size: Int64
    let modified: Int64

    /// The stamp as text (inode, size, modification time), to record and compare later.
    public var text: String { "\(inode)-\(size)-\(modified)" }

    /// The stamp of the file at `path`, or nil when there is none.
    public static func of(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            let nanoseconds = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
            let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        return FileStamp(inode: UInt64(info.st_ino), size: Int64(info.st_size), modified: nanoseconds)
    }
}
