#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension JournalError {
    /// An error for a failed system call, with the system's reason: ``JournalError/Code/diskFull``
    /// when a write found no space (nothing was written; the same write works once there is space),
    /// ``JournalError/Code/notWritable`` for permissions, ``JournalError/Code/io`` otherwise. A
    /// failed flush (`fsync`, `fdatasync`) is always `io`, whatever the reason: after one, what the
    /// disk holds of the data written before it is unknown, so it must not be retried as if nothing
    /// happened.
    static func system(_ call: String, path: String, errno code: Int32 = errno, offset: Int64? = nil) -> JournalError {
        let reason = String(cString: strerror(code))
        let flush = call == "fsync" || call == "fdatasync"
        let hint: String
        var errorCode: Code = .io
        switch code {
        case _ where flush:
            hint =
                "The disk could not flush written data: check the disk and its free space, then run the command again (or restart `infinity serve`); nothing acknowledged before was lost"
        case ENOSPC, EDQUOT:
            hint =
                "The disk is full: free space or move the data folder, then try again; nothing already acknowledged was lost"
            errorCode = .diskFull
        case EACCES, EPERM, EROFS:
            hint = "Check that this user may write to the data folder (and that it is not on a read-only file system)"
            errorCode = .notWritable
        case ENOENT:
            hint = "Check the --data path"
        case EMFILE, ENFILE:
            hint =
                "Too many files are open: raise the open-file limit (LimitNOFILE= in a systemd unit, ulimit -n in a shell), or lower `infinity serve --max-connections`"
        default:
            hint = "Check the disk and the data folder"
        }
        return JournalError(errorCode, "\(call) failed: \(reason)", file: path, offset: offset, hint: hint)
    }
}
