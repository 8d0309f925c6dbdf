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
        return SiteCalendar(
            zones: try SiteStore(path: data + "/sites.json").timeZones,
            erasures: try SiteErasures(dataDirectory: data).limits)
    }

    /// A projection worker over this data folder.
    func worker(jobs: Int = RebuildOptions.defaultJobs) throws -> ProjectionWorker {
        ProjectionWorker(
            journal: journal, store: rollups, calendar: try calendar(), jobs: jobs, logger: Infinity.makeLogger())
    }
}
