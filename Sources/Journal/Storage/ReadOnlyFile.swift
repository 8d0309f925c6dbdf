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
    public let size: Int64

    /// Opens `path` for reading.
    public init(path: String) throws {
        file = try OpenFile(path: path, flags: O_RDONLY)
        size = try file.size()
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
