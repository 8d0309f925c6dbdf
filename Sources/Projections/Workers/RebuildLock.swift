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
    private let lock: FileLock

    init(root: String, wait: Bool = true) throws {
        try io { try FileSystem.createDirectory(root) }
        let path = root + "/LOCK"
        let taken: FileLock?
        do {
            taken = wait ? try FileLock.waiting(for: path) : try FileLock.ifFree(path)
        } catch let error as JournalError {
            throw ProjectionError(.io, "cannot open the rollup lock: \(error.message)", file: path)
        }
        guard let taken else {
            throw ProjectionError(
                .locked, "another rebuild is writing the rollups", file: path,
                hint: "Wait for it to finish, then try again")
        }
        lock = taken
    }

    func release() { lock.release() }
}
