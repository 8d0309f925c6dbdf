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

    /// The lock that processes changing a registry file of this folder take turns on
    /// (`.registry.lock` beside the file).
    public var lockPath: String {
        let folder = (path as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "." : folder) + "/.registry.lock"
    }

    /// Changes the entries as the file holds them now, and writes them, under the folder's
    /// registry lock: processes that change a registry file at once (two CLI commands, or one beside
    /// `serve`) take turns, and each starts from the other's result, so no change is lost. The
    /// caller's `known` entries are used when the file still has their `stamp`; otherwise the file is
    /// read again with `read` (``read()`` with the caller's error). `change` says whether to write
    /// (with `write`: ``write(_:)`` with the caller's error) and what to return. Returns the entries
    /// and the stamp that are now on disk, and `change`'s result.
    public func modify<R>(
        known: (entries: [Entry], stamp: FileStamp?),
        read: () throws -> (entries: [Entry], stamp: FileStamp?),
        write: ([Entry]) throws -> FileStamp?,
        _ change: (inout [Entry]) throws -> (save: Bool, result: R)
    ) throws -> (entries: [Entry], stamp: FileStamp?, result: R) {
        try createFolder()
        let lock = try FileLock.waiting(for: lockPath)
        defer { lock.release() }
        var current = FileStamp.of(path) == known.stamp ? known : try read()
        let outcome = try change(&current.entries)
        guard outcome.save else { return (current.entries, current.stamp, outcome.result) }
        let stamp = try write(current.entries)
        return (current.entries, stamp, outcome.result)
    }

    /// Replaces the file with `entries` (pretty-printed, keys sorted); returns its new stamp.
    @discardableResult
    public func write(_ entries: [Entry]) throws -> FileStamp? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try createFolder()
        try AtomicFile.write(Array(try encoder.encode(entries)), to: path, mode: mode)
        return FileStamp.of(path)
    }

    private func createFolder() throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
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
