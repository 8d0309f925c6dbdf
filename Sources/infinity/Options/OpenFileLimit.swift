#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's open-file limit. Every connection is a file descriptor, and a shell or a systemd
/// unit starts a process with a soft limit of 1,024 whatever its hard limit allows; `serve` raises
/// the soft limit to the hard one as it starts, as nginx (`worker_rlimit_nofile`) and Go's runtime
/// do, so that the hard limit an operator set is what counts.
enum OpenFileLimit {
    /// The soft limit before and after raising it to the hard limit (at most 1,048,576).
    static func raise() -> (before: Int, now: Int) {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return (1024, 1024) }
        let before = Int(clamping: limit.rlim_cur)
        let ceiling = min(limit.rlim_max, 1_048_576)
        guard limit.rlim_cur < ceiling else { return (before, before) }
        limit.rlim_cur = ceiling
        guard setrlimit(resource, &limit) == 0 else { return (before, before) }
        return (before, Int(clamping: ceiling))
    }

    /// The soft limit now.
    static var current: Int {
        var limit = rlimit()
        return getrlimit(resource, &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
    }

    #if os(Linux)
        private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        private static let resource = RLIMIT_NOFILE
    #endif
}
