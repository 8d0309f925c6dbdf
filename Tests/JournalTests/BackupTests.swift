import Foundation
import InfinityTestSupport
import Testing

@testable import Journal

/// A journal copied while a writer may append: what is copied again, what is not, and what a
/// copy of a segment cut mid-block holds.
@Suite("journal backup")
struct JournalBackupTests {
    static func directory(_ path: String) -> JournalDirectory { JournalDirectory(path: path) }

    @Test(
        "a second copy skips unchanged sealed segments, copies a compacted one again, drops one retention removed, and cuts a torn tail"
    )
    func incrementalCopies() throws {
        let source = TemporaryDirectory()
        let target = TemporaryDirectory()
        let hits = try CompactionTests.smallBlockJournal(source)
        let paths = try Fixtures.segmentPaths(source.journal)
        try #require(paths.count == 3)
        let backup = JournalBackup(directory: Self.directory(source.journal))

        let first = try backup.copy(to: Self.directory(target.journal), previous: [:])
        #expect(first.copied.count == 3 && first.unchanged.isEmpty)
        #expect(first.endSequence == UInt64(hits.count))
        #expect(difference(try Fixtures.readAll(target.journal), hits) == nil)
        // Sealed copies stay read-only; the copy of the open segment stays writable.
        let copies = try Fixtures.segmentPaths(target.journal)
        #expect(try OpenFile(path: copies[0], flags: O_RDONLY).mode() & 0o222 == 0)
        #expect(try OpenFile(path: copies[2], flags: O_RDONLY).mode() & 0o222 != 0)

        // Nothing changed: only the open segment is copied again.
        let second = try backup.copy(to: Self.directory(target.journal), previous: first.stamps)
        #expect(second.unchanged.count == 2 && second.copied == [URL(fileURLWithPath: paths[2]).lastPathComponent])

        // Compaction replaced the first sealed segment: copied again, with the same records.
        _ = try JournalCompactor(directory: Self.directory(source.journal)).compact(logger: quietLogger)
        let third = try backup.copy(to: Self.directory(target.journal), previous: second.stamps)
        #expect(third.copied.count == 3 && third.unchanged.isEmpty)
        #expect(try CompactionTests.blockCount(copies[0]) == 1)
        #expect(difference(try Fixtures.readAll(target.journal), hits) == nil)

        // A block half written at the end of the open segment is not copied (as recovery would cut it).
        let open = paths[2]
        let intact = try Damage.size(open)
        try Damage.withWritable(open) {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: open))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 0x5A, count: 700))
            try handle.close()
        }
        let fourth = try backup.copy(to: Self.directory(target.journal), previous: third.stamps)
        #expect(try Damage.size(copies[2]) == intact)
        #expect(fourth.endSequence == UInt64(hits.count))
        #expect(try JournalVerifier(directory: Self.directory(target.journal)).verify().findings.isEmpty)

        // Retention removed the oldest segment: the copy loses it too.
        try FileManager.default.removeItem(atPath: paths[0])
        let fifth = try backup.copy(to: Self.directory(target.journal), previous: fourth.stamps)
        #expect(fifth.removed == [URL(fileURLWithPath: paths[0]).lastPathComponent])
        #expect(try Fixtures.segmentPaths(target.journal).count == 2)
    }
}
