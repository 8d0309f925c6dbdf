import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who owns what a command left in a folder.
public enum FileOwners {
    /// The paths under `folder` (relative to it) that do not belong to the user `owner`.
    public static func notOwned(by owner: uid_t, in folder: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder).filter { path in
            var info = stat()
            return lstat(folder + "/" + path, &info) != 0 || info.st_uid != owner
        }.sorted()
    }
}
