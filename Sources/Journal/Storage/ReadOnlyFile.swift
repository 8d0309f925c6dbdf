#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for positional reads only, for readers that need a few ranges of a large file
/// (a rollup day file's sections) rather than all of it. Closed when released.
///
/// Not `Sendable`: one reader owns it.
public final class ReadOnlyFile {
    private let file: OpenFile

    /// The file's path.
    public var path: String { file.path }
    /// The file's size in bytes when it was opened.
    public var size: Int64 { identity.size }
    /// Which file this is, as of opening it.
    public let identity: FileIdentity

    /// Opens `path` for reading.
    public init(path: String) throws {
        file = try OpenFile(path: path, flags: O_RDONLY)
        var info = stat()
        guard fstat(file.descriptor, &info) == 0 else { throw JournalError.system("fstat", path: path) }
        identity = FileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// Reads `buffer.count` bytes at `offset` into `buffer`; returns how many were read (fewer
    /// when the file ends first).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try file.read(into: buffer, at: offset)
    }

    /// Reads `count` bytes at `offset` into a new array with `slack` zero bytes after them (for
    /// decoders that load whole words near the end); fewer when the file ends first.
    public func read(count: Int, at offset: Int64, slack: Int = 0) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count + slack)
        let done = try bytes.withUnsafeMutableBytes {
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count]), at: offset)
        }
        if done < count { bytes.removeSubrange(done..<count) }
        return bytes
    }
}

/// A file's identity: device, inode, size and modification time. A file replaced by a rename, or
/// rewritten, gets another identity, so what was read from one can be cached under it.
public struct FileIdentity: Hashable, Sendable {
    /// The device the file is on.
    public let device: UInt64
    /// Its inode number.
    public let inode: UInt64
    /// Its size in bytes.
    public let size: Int64
    /// Its modification time, ns since 1970.
    public let modified: Int64
}
