import Foundation
import InfinityTestSupport
import Journal
import Synchronization
import Testing

@testable import Projections

/// The live worker and a rebuild in another process share the rollups through one lock: the
/// worker must never wait on a lock it holds itself, and must carry on with whatever generation
/// the rebuild left.
@Suite struct RollupLockTests {
    @Test("a catch-up that waited while a rebuild switched generations carries on with the new one")
    func catchUpAfterARebuildSwitchedGenerations() throws {
        let data = TemporaryDirectory()
        let hits = Fixtures.generator().allHits(firstDay: Fixtures.firstDay, days: 3, countPerSite: 200)
        try Fixtures.append(Array(hits.prefix(hits.count / 2)), data: data.path, blockSize: 100)
        _ = try Fixtures.rebuild(data: data.path)
        try Fixtures.append(Array(hits.dropFirst(hits.count / 2)), data: data.path, blockSize: 100)
        let store = RollupStore(dataDirectory: data.path)
        let worker = ProjectionWorker(
            journal: JournalDirectory(dataDirectory: data.path), store: store, calendar: Fixtures.calendar,
            logger: Fixtures.quiet)

        // Hold the lock as another process's rebuild would, and let a catch-up wait for it.
        let held = try RebuildLock(root: store.root)
        let outcome = Mutex<Result<ProjectionWorker.Report, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = Result { try worker.catchUp() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        #expect(try Self.waitUntilSomeoneWaits(for: store.root + "/LOCK"), "the catch-up never waited for the lock")
        // Switch generations as a rebuild does, then let go of the lock.
        let old = try #require(try store.current())
        let next = try store.createGeneration()
        for key in try old.keys() { try next.adopt(key, from: old) }
        try next.write(try #require(try old.manifest()))
        try store.publish(next)
        held.release()

        guard finished.wait(timeout: .now() + 60) == .success else {
            Issue.record("the catch-up is still waiting a minute after the lock was free (it waits on itself)")
            return
        }
        let report = try #require(try outcome.withLock { $0 }?.get())
        #expect(report.to == UInt64(hits.count))
        #expect(try store.current()?.name == next.name)
        let rebuilt = try Fixtures.expectLiveRollupsEqualARebuild(data: data.path)
        #expect(rebuilt.values.reduce(0) { $0 + $1.records } == Int64(hits.count))
    }

    @Test("the live worker's catch-up does nothing, and says so, while another process holds the rollups")
    func liveCatchUpSkipsWhileLocked() throws {
        let data = TemporaryDirectory()
        _ = try Fixtures.writeJournal(data: data.path, days: 2, perDay: 100)
        _ = try Fixtures.rebuild(data: data.path)
        let store = RollupStore(dataDirectory: data.path)
        let before = try #require(try store.current()?.manifest())
        _ = try Fixtures.writeJournal(data: data.path, days: 1, perDay: 50)
        let worker = ProjectionWorker(
            journal: JournalDirectory(dataDirectory: data.path), store: store, calendar: Fixtures.calendar,
            logger: Fixtures.quiet)
        let held = try RebuildLock(root: store.root)
        let skipped = try worker.catchUp(wait: false)
        #expect(skipped.busy)
        #expect(try store.current()?.manifest() == before)
        held.release()
        let done = try worker.catchUp(wait: false)
        #expect(!done.busy)
        #expect(done.to > before.position)
    }

    /// Whether a process (this one) is blocked on an exclusive `flock` of `path`: the kernel lists
    /// blocked requests in /proc/locks with a `->` before them. Polled until it shows, for 60 s.
    static func waitUntilSomeoneWaits(for path: String) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let inode = ":\(info.st_ino) "
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let locks = try String(contentsOfFile: "/proc/locks", encoding: .utf8)
            if locks.split(separator: "\n").contains(where: { $0.contains("->") && $0.contains(inode) }) {
                return true
            }
            usleep(1000)
        }
        return false
    }
}
