import Foundation
import Ingest
import Journal
import Projections

extension DataOptions {
    /// The rollup folder inside the data folder.
    var rollups: RollupStore { RollupStore(dataDirectory: data) }

    /// The time zone of every registered site (sites.json), for the projections.
    func calendar() throws -> SiteCalendar {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(
                "there is no data folder at \(data); pass --data with the folder that `infinity serve` writes to (default ./data)"
            )
        }
        let store = try SiteStore(path: data + "/sites.json")
        var zones: [String: TimeZone] = [:]
        for entry in store.entries { zones[entry.domain] = TimeZone(identifier: entry.timezone) }
        return SiteCalendar(zones: zones)
    }

    /// A projection worker over this data folder.
    func worker(jobs: Int = RebuildOptions.defaultJobs) throws -> ProjectionWorker {
        ProjectionWorker(
            journal: journal, store: rollups, calendar: try calendar(), jobs: jobs, logger: Infinity.makeLogger())
    }
}
