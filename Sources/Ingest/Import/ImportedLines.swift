#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The keys of the lines a site's imports took (see ``ImportLedger``): the append-only key file,
/// and the keys in memory for look-ups.
///
/// Not `Sendable`: owned by one importer.
final class ImportedLines {
    let path: String
    private let descriptor: Int32
    /// Every key: confirmed, appended, or noted in this run and not written yet.
    private(set) var keys: Set<UInt64>
    /// Keys noted since the last ``writeNoted()``.
    private(set) var noted: [UInt64] = []
    /// The file's length (confirmed plus appended).
    private(set) var length: Int64

    /// Opens the key file at `path`, cut back to `confirmed` bytes (what a crash left beyond it was
    /// never confirmed), and reads its keys.
    init(path: String, confirmed: Int64) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure("open", path) }
        descriptor = fd
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.failure("fstat", path) }
        guard Int64(info.st_size) >= confirmed else {
            close(fd)
            throw IngestError(
                .importFailed,
                "the import key file is shorter (\(info.st_size) bytes) than its ledger says (\(confirmed))",
                file: path,
                hint:
                    "Restore the imports folder from a backup; without it, importing the same logs again would count them twice"
            )
        }
        if Int64(info.st_size) > confirmed {
            guard ftruncate(fd, off_t(confirmed)) == 0 else { throw Self.failure("ftruncate", path) }
        }
        length = confirmed
        keys = Set(minimumCapacity: Int(confirmed / 8))
        var buffer = [UInt64](repeating: 0, count: 1 << 16)
        var offset: Int64 = 0
        while offset < confirmed {
            let want = Int(min(Int64(buffer.count * 8), confirmed - offset))
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            guard got == want else { throw Self.failure("pread", path) }
            for index in 0..<(want / 8) { keys.insert(UInt64(littleEndian: buffer[index])) }
            offset += Int64(want)
        }
    }

    deinit { close(descriptor) }

    /// Whether `key` is in (confirmed, or noted earlier in this run).
    func contains(_ key: UInt64) -> Bool { keys.contains(key) }

    /// Notes that the line with `key` was decided in this run.
    func note(_ key: UInt64) {
        keys.insert(key)
        noted.append(key)
    }

    /// Appends the noted keys to the file and fsyncs; returns how many. They count once the
    /// ledger confirms them.
    func writeNoted() throws -> Int {
        guard !noted.isEmpty else { return 0 }
        let bytes = noted.map(\.littleEndian)
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(length)) }
        guard written == bytes.count * 8 else { throw Self.failure("write", path) }
        guard fsync(descriptor) == 0 else { throw Self.failure("fsync", path) }
        length += Int64(written)
        let count = noted.count
        noted.removeAll(keepingCapacity: true)
        return count
    }

    private static func failure(_ call: String, _ path: String) -> IngestError {
        IngestError(
            .importFailed, "\(call) of the import key file failed: \(String(cString: strerror(errno)))", file: path,
            hint: "Check free space and permissions of the data folder")
    }
}
