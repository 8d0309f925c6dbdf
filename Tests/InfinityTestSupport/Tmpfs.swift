import Foundation

/// A small tmpfs for a test: a disk that fills up, or that is read-only. Mounting needs root, so
/// tests that use it run only as root (CI runs as root); unmount it with ``unmount()`` in a `defer`.
public struct Tmpfs: Sendable {
    /// Where it is mounted.
    public let path: String

    /// Whether this process may mount one.
    public static var available: Bool { getuid() == 0 }

    /// Mounts a tmpfs of `size` (`"64k"`, `"16m"`) at `path`, creating the folder; nil if the mount
    /// failed. `options` are added to the size (`"ro"`).
    public init?(at path: String, size: String, options: [String] = []) {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard
            Self.run(
                "/bin/mount", ["-t", "tmpfs", "-o", (["size=\(size)"] + options).joined(separator: ","), "tmpfs", path])
                == 0
        else { return nil }
        self.path = path
    }

    /// Gives it another size (more room, as an operator grows or cleans a disk); whether it worked.
    public func resize(to size: String) -> Bool {
        Self.run("/bin/mount", ["-o", "remount,size=\(size)", path]) == 0
    }

    /// Unmounts it (lazily, so that a file still open does not keep it).
    public func unmount() { _ = Self.run("/bin/umount", ["-l", path]) }

    private static func run(_ program: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
