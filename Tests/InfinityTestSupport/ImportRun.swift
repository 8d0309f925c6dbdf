import Foundation

/// `infinity import access-log` as the tests that stop, kill or back up an import mid-way run it.
public enum ImportRun {
    /// `copies` copies of the log at `source` in one file `long.log` under `folder`: each copy of
    /// a line is a line of its own, so the file holds `copies` times the hits, and an import of it
    /// runs long enough to be interrupted.
    public static func longLog(_ source: String, copies: Int, in folder: String) throws -> String {
        let path = folder + "/long.log"
        let original = try String(contentsOfFile: source, encoding: .utf8)
        try String(repeating: original, count: copies).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `executable import access-log FILE --site SITE --data DATA` without waiting for it.
    public static func start(
        _ executable: URL, file: String, site: String, data: String, output: Any? = FileHandle.nullDevice
    ) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["import", "access-log", file, "--site", site, "--data", data, "--progress", "none"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// Returns once the import has handed over its first lines (the site's key file is no longer
    /// empty), or `process` ended, or a minute passed.
    public static func waitForFirstLines(_ process: Process, site: String, data: String) {
        let keys = data + "/imports/\(site).lines"
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline
            && ((try? FileManager.default.attributesOfItem(atPath: keys)[.size] as? NSNumber)?.intValue ?? 0) == 0
        {
            usleep(1_000)
        }
    }
}
