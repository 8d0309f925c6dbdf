import Journal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on the rollup folder (`flock` on `rollups/LOCK`), so that two rebuilds or
/// catch-ups never write at once. Released on ``release()`` or when the process ends.
struct RebuildLock {
    private let descriptor: Int32

    init(root: String, wait: Bool = true) throws {
        try io { try FileSystem.createDirectory(root) }
        let path = root + "/LOCK"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ProjectionError(.io, "cannot open the rollup lock: \(String(cString: strerror(errno)))", file: path)
        }
        if flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            close(fd)
            throw ProjectionError(
                .locked, "another rebuild is writing the rollups", file: path,
                hint: "Wait for it to finish, then try again")
        }
        descriptor = fd
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
