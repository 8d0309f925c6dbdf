import Foundation
import Synchronization

/// A fresh folder under the system temp directory, removed when the test is done with it.
public final class TemporaryDirectory: Sendable {
    /// The folder's path.
    public let path: String

    /// A new folder whose name starts with the calling test's name.
    ///
    /// `untilExit` is for a folder a suite makes once and keeps in a `static let`: such a value is
    /// never released, so the folder is removed when the test process exits instead.
    public init(_ name: String = #function, untilExit: Bool = false) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "infinity-\(safe.prefix(40))-\(UUID().uuidString.prefix(8))"
        // A temp folder that cannot be made shows up as the first file operation that fails in it.
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if untilExit { RemovedAtExit.add(path) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `<path>/journal`.
    public var journal: String { path + "/journal" }
}

/// Folders to remove when the test process exits normally (a killed run leaves them, as it
/// leaves any other temp file).
private enum RemovedAtExit {
    static let paths = Mutex<[String]?>(nil)

    static func add(_ path: String) {
        paths.withLock { paths in
            if paths == nil {
                paths = []
                atexit {
                    for path in RemovedAtExit.paths.withLock({ $0 ?? [] }) {
                        try? FileManager.default.removeItem(atPath: path)
                    }
                }
            }
            paths?.append(path)
        }
    }
}
