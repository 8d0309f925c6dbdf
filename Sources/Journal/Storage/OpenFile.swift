#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file descriptor with the few positional operations the journal needs; closed on deinit.
///
/// Not `Sendable`: each file is owned by one reader or by the writer's thread.
final class OpenFile {
    let descriptor: Int32
    /// The file's name in errors; follows ``renamed(to:)``.
    private(set) var path: String

    /// Opens `path` with POSIX `flags` (and `mode` when creating).
    init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw JournalError.system("open", path: path) }
        self.descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    /// Notes that the file was renamed to `newPath`, so later errors name it where it is.
    func renamed(to newPath: String) { path = newPath }

    /// The file's current size in bytes.
    func size() throws -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw JournalError.system("fstat", path: path) }
        return Int64(info.st_size)
    }

    /// Whether the file may be written (a sealed segment's permission bits allow no writing).
    func isWritable() throws -> Bool { try mode() & 0o222 != 0 }

    /// The file's permission bits.
    func mode() throws -> mode_t {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw JournalError.system("fstat", path: path) }
        return info.st_mode & 0o7777
    }

    /// Reads exactly `buffer.count` bytes at `offset`; returns how many were read (less at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.system("read", path: path, offset: offset)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.system("write", path: path, offset: offset + Int64(done))
            }
            done += n
        }
    }

    /// Flushes the file's data (and the metadata needed to read it back) to the disk.
    func syncData() throws {
        #if canImport(Darwin)
            let result = fsync(descriptor)
        #else
            let result = fdatasync(descriptor)
        #endif
        guard result == 0 else { throw JournalError.system("fdatasync", path: path) }
    }

    /// Flushes data and metadata.
    func sync() throws {
        guard fsync(descriptor) == 0 else { throw JournalError.system("fsync", path: path) }
    }

    /// Reserves disk space so that the file is at least `length` bytes long (the new bytes read as
    /// zeros) and returns whether it could; on failure (a full disk, a file system without
    /// preallocation) the file is cut back to `current` bytes, as it was.
    func reserve(upTo length: Int64, from current: Int64) -> Bool {
        #if canImport(Darwin)
            return false
        #else
            guard length > current else { return true }
            if posix_fallocate(descriptor, off_t(current), off_t(length - current)) == 0 { return true }
            _ = ftruncate(descriptor, off_t(current))
            return false
        #endif
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int64) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw JournalError.system("ftruncate", path: path, offset: length)
        }
    }

    /// Sets the file's permission bits.
    func setMode(_ mode: mode_t) throws {
        guard fchmod(descriptor, mode) == 0 else { throw JournalError.system("chmod", path: path) }
    }
}

/// File-system helpers on paths.
public enum FileSystem {
    /// Fsyncs a directory so that a rename or a new file in it survives a crash.
    public static func syncDirectory(_ path: String) throws {
        let file = try OpenFile(path: path, flags: O_RDONLY | O_DIRECTORY)
        try file.sync()
    }

    /// Whether `path` exists, and whether it is a directory.
    public static func kind(of path: String) -> (exists: Bool, isDirectory: Bool) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (false, false) }
        return (true, (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// Creates a directory and any missing parents.
    public static func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw JournalError.system("mkdir", path: String(prefix.dropLast()))
            }
        }
    }

    /// The names in a directory, unsorted.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw JournalError.system("opendir", path: path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a file.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 else { throw JournalError.system("unlink", path: path) }
    }

    /// Renames a file (atomically, within one file system).
    public static func rename(_ from: String, to: String) throws {
        guard renameFile(from, to) == 0 else { throw JournalError.system("rename", path: to) }
    }

    /// Whether this process may write into `path`.
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }
}

#if canImport(Glibc)
    private let renameFile = Glibc.rename
#elseif canImport(Musl)
    private let renameFile = Musl.rename
#elseif canImport(Darwin)
    private let renameFile = Darwin.rename
#endif
