#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension JournalError {
    /// An ``JournalError/Code/io`` error for a failed system call, with the system's reason.
    static func system(_ call: String, path: String, errno code: Int32 = errno, offset: Int64? = nil) -> JournalError {
        let reason = String(cString: strerror(code))
        let hint: String
        switch code {
        case ENOSPC, EDQUOT:
            hint =
                "The disk is full: free space or move the data folder, then try again; nothing already acknowledged was lost"
        case EACCES, EPERM, EROFS:
            hint = "Check that this user may write to the data folder (and that it is not on a read-only file system)"
        case ENOENT:
            hint = "Check the --data path"
        default:
            hint = "Check the disk and the data folder"
        }
        let errorCode: Code = (code == EACCES || code == EPERM || code == EROFS) ? .notWritable : .io
        return JournalError(errorCode, "\(call) failed: \(reason)", file: path, offset: offset, hint: hint)
    }
}
