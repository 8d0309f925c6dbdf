#if canImport(Glibc)
    import Glibc
#endif

/// How `malloc` keeps memory in `rebuild`, which folds many site-days in one process.
///
/// glibc serves a large array with an `mmap` of its own and gives it back on free, and trims the
/// heap's top back to the system once twice that threshold lies free there. A fold allocates and
/// frees arrays of megabytes for every site-day, so with the defaults each day faulted its memory
/// in again: up to a second of kernel time in a 4.5 s rebuild of 20 M hits (Docs/benchmarks.md).
/// With these settings the next day reuses the memory the last one freed, and the process's peak
/// stays what the largest days need at once.
enum BatchMemory {
    /// Arrays up to this size come from the heap and are reused after they are freed.
    static let mmapThreshold: Int32 = 32 << 20
    /// Free memory at the heap's top is given back to the system only beyond this.
    static let trimThreshold: Int32 = 1 << 30

    /// Applies the settings to this process (`rebuild` calls it before it reads the journal).
    /// `mallopt` is glibc's and `<malloc.h>` is not in Swift's Glibc module, so it is looked up by
    /// name; where it is missing (another C library) nothing changes.
    static func keepFreedMemory() {
        #if canImport(Glibc)
            typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
            _ = mallopt(Self.mmapThresholdOption, mmapThreshold)
            _ = mallopt(Self.trimThresholdOption, trimThreshold)
        #endif
    }

    /// `M_MMAP_THRESHOLD` and `M_TRIM_THRESHOLD` in glibc's `<malloc.h>` (part of its stable ABI).
    private static let mmapThresholdOption: Int32 = -3
    private static let trimThresholdOption: Int32 = -1
}
