import Foundation
import Journal

/// Keeps two imports of one site from running at once: they would share its ledger. Held (an
/// `flock` on `<data>/imports/<site>.lock`) for the importer's life; the system releases it when
/// the process ends, however it ends.
final class ImportSiteLock {
    private let lock: FileLock

    init(dataDirectory: String, site: String) throws {
        let folder = dataDirectory + "/imports"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw IngestError(
                .importFailed, "cannot create the imports folder: \(error)", file: folder,
                hint: "Check free space and permissions of the data folder")
        }
        let path = folder + "/" + site + ".lock"
        let taken: FileLock?
        do {
            taken = try FileLock.ifFree(path, mode: 0o600)
        } catch {
            throw IngestError(
                .importFailed, "cannot open the import lock: \(error)", file: path,
                hint: "Check permissions of the data folder")
        }
        guard let taken else {
            throw IngestError(
                .importFailed, "another import of \(site) is running in this data folder", file: path,
                hint: "Wait for it to finish, then run this import again; lines it already imported are skipped")
        }
        lock = taken
    }
}
