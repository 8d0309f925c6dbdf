#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file replacement that never leaves a half-written file: write a temporary file, fsync
/// it, rename it over the old one, fsync the folder.
///
/// Used for every small state file (sites, salts, rollups): after a crash the path holds either
/// the old content or the new, never a mix.
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes`, with permission bits `mode`.
    ///
    /// With `sync: false` nothing is flushed: for files in a folder that is not visible yet, whose
    /// writer calls ``sync(_:)`` on every file and folder before making the folder visible.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, sync: Bool = true) throws {
        let temporary = path + ".tmp"
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        let file = try OpenFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        try file.setMode(mode)
        try bytes.withUnsafeBytes { try file.write($0, at: 0) }
        if sync { try file.sync() }
        try FileSystem.rename(temporary, to: path)
        ok = true
        guard sync else { return }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        try FileSystem.syncDirectory(folder.isEmpty ? "/" : folder)
    }

    /// Flushes a file or folder that was written without syncing to the disk.
    public static func sync(_ path: String) throws {
        let file = try OpenFile(path: path, flags: O_RDONLY)
        try file.sync()
    }

    /// The whole content of the file at `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        let file = try OpenFile(path: path, flags: O_RDONLY)
        let size = Int(try file.size())
        var bytes = [UInt8](repeating: 0, count: size)
        let done = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        return done == size ? bytes : Array(bytes[..<done])
    }
}
