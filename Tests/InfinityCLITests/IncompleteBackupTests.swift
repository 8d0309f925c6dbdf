import Foundation
import InfinityTestSupport
import Testing

/// Backups that did not complete: one onto a disk that fills up says where and what to do, the data
/// folder is untouched, and doing what it says gives a backup that restores to the same answers; a
/// folder whose journal copy stopped part-way restores to rollups that agree with its journal.
@Suite("backups that did not complete", .serialized)
struct IncompleteBackupTests {
    @Test(
        "a backup that fills its disk names the backup folder; run again with room it completes and restores",
        .enabled(if: Tmpfs.available, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func fullBackupDiskThenRoom() throws {
        let folder = TemporaryDirectory()
        let (data, _) = try DamagedJournalTests.journal(folder)
        #expect(try CLI.run(["rebuild", "--data", data]).status == 0)
        let disk = try #require(Tmpfs(at: folder.path + "/backups", size: "64k"))
        defer { disk.unmount() }
        let target = disk.path
        let backup = target + "/infinity"
        let full = try CLI.run(["backup", "--data", data, "--to", backup])
        #expect(full.status != 0)
        #expect(full.stderr.contains("backup folder \(backup) is full"), "\(full.stderr)")
        #expect(full.stderr.contains("run the backup again"))
        #expect(try CLI.run(["journal", "verify", "--data", data]).status == 0, "the data folder is intact")
        // Room again (the operator grows or cleans that disk): the same command completes.
        #expect(disk.resize(to: "16m"))
        let again = try CLI.run(["backup", "--data", data, "--to", backup])
        #expect(again.status == 0, "\(again.stderr)")
        let restored = folder.path + "/restored"
        #expect(try CLI.run(["restore", "--from", backup, "--data", restored]).status == 0)
        #expect(try DamagedJournalTests.pageviews(restored).total == DamagedJournalTests.pageviews(data).total)
    }

    @Test("a backup whose journal copy stopped part-way restores with its rollups recounted from its journal")
    func rollupsAheadOfTheJournalAreRecounted() throws {
        let folder = TemporaryDirectory()
        let (data, _) = try DamagedJournalTests.journal(folder)
        #expect(try CLI.run(["rebuild", "--data", data]).status == 0)
        let backup = folder.path + "/backup"
        #expect(try CLI.run(["backup", "--data", data, "--to", backup]).status == 0)
        // As if the journal copy had stopped before its last segment: the rollups are ahead of it.
        let journal = backup + "/journal"
        let last = try #require(
            try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".seg") }.max())
        try FileManager.default.removeItem(atPath: journal + "/" + last)
        let restored = folder.path + "/restored"
        let restore = try CLI.run(["restore", "--from", backup, "--data", restored])
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stderr.contains("recounting the rollups"), "\(restore.stderr)")
        let status = try CLI.run(["rollups", "status", "--data", restored])
        #expect(status.stdout.contains("(up to date)"), "\(status.stdout)")
        // The answers are the restored journal's: what a rebuild of it gives.
        let answered = try DamagedJournalTests.pageviews(restored).total
        #expect(answered < (try DamagedJournalTests.pageviews(data).total))
        #expect(try CLI.run(["rebuild", "--data", restored]).status == 0)
        #expect(try DamagedJournalTests.pageviews(restored).total == answered)
    }
}
