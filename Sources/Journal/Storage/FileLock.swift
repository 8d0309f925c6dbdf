#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on one file, held until ``release()`` or until the process ends, however
/// it ends: the journal writer's `.lock`, the maintenance lock, the spool's, an import's and the
/// rollups' `LOCK` are all this.
public final class FileLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Waits for the lock on `path` (the file is created with `mode` when missing; with `create`
    /// false, a missing file is an error and the file is opened read-only, as a process that may
    /// not write the folder can).
    public static func waiting(for path: String, create: Bool = true, mode: mode_t = 0o644) throws -> FileLock {
        let lock = try FileLock(descriptor: openFile(path, create: create, mode: mode))
        while flock(lock.descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw JournalError.system("flock", path: path) }
        }
        return lock
    }

    /// The lock on `path` if no one else holds it, else nil at once (the file is created with
    /// `mode` when missing).
    public static func ifFree(_ path: String, mode: mode_t = 0o644) throws -> FileLock? {
        let lock = try FileLock(descriptor: openFile(path, create: true, mode: mode))
        return flock(lock.descriptor, LOCK_EX | LOCK_NB) == 0 ? lock : nil
    }

    /// Lets the next holder in (the file stays).
    public func release() { flock(descriptor, LOCK_UN) }

    private static func openFile(_ path: String, create: Bool, mode: mode_t) throws -> Int32 {
        let fd = create ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw JournalError.system("open", path: path) }
        return fd
    }
}
