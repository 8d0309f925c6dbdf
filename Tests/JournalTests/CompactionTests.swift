import Foundation
import Testing

@testable import Journal

/// Compaction rewrites sealed segments' small blocks into full ones without changing a record.
@Suite("journal compaction")
struct CompactionTests {
    static let day: Int64 = 86_400_000
    static let base = 20_100 * day

    /// Three UTC days of realistic hits in blocks of 20 (a live server's group commits): two
    /// sealed segments and an open one.
    static func smallBlockJournal(_ directory: TemporaryDirectory) throws -> [Hit] {
        let hits = Fixtures.generated(6_000, seed: 7).enumerated().map { index, hit in
            var hit = hit
            hit.timestamp = base + Int64(index / 2_000) * day + Int64(index % 2_000) * 30_000
            return hit
        }
        try Fixtures.writeJournal(hits, blockSize: 20, in: directory.journal)
        return hits
    }

    static func blockCount(_ path: String) throws -> Int { try Fixtures.blockOffsets(of: path).count }

    @Test(
        "sealed segments get full blocks holding the same records, sequence numbers and header; the open one is not touched"
    )
    func rewritesSealedSegments() throws {
        let directory = TemporaryDirectory()
        let hits = try Self.smallBlockJournal(directory)
        let paths = try Fixtures.segmentPaths(directory.journal)
        try #require(paths.count == 3)
        let openBefore = try Data(contentsOf: URL(fileURLWithPath: paths[2]))
        let headerBefore = try Data(contentsOf: URL(fileURLWithPath: paths[0])).prefix(40)
        let sizeBefore = try Damage.size(paths[0])

        let outcomes = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(
            logger: quietLogger)
        #expect(outcomes.map(\.skipped) == [nil, nil, "open: the writer still appends to it"])
        #expect(
            outcomes.map(\.blocksBefore).prefix(2) == [100, 100] && outcomes.map(\.blocksAfter).prefix(2) == [1, 1])
        #expect(try Self.blockCount(paths[0]) == 1 && Damage.size(paths[0]) < sizeBefore)
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths[2])) == openBefore)
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths[0])).prefix(40) == headerBefore)
        // Sealed stays sealed, verify finds nothing, and a second run has nothing to do.
        #expect(try OpenFile(path: paths[0], flags: O_RDONLY).mode() & 0o222 == 0)
        #expect(try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify().findings.isEmpty)
        let again = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(
            logger: quietLogger)
        #expect(again.map(\.skipped).prefix(2) == ["already compact", "already compact"])
        // Appending after compaction continues the sequence.
        let appender = try JournalAppender(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        #expect(appender.nextSequence == UInt64(hits.count))
        try appender.close()
    }

    @Test("sealed full blocks compressed fast are recompressed with LZ4HC once, marked so, then left alone")
    func recompressesFastFullBlocks() throws {
        let directory = TemporaryDirectory()
        // An import's journal: one full block per day, compressed fast.
        let hits = Fixtures.generated(6_000, seed: 11).enumerated().map { index, hit in
            var hit = hit
            hit.timestamp = Self.base + Int64(index / 2_000) * Self.day + Int64(index % 2_000) * 30_000
            return hit
        }
        try Fixtures.writeJournal(hits, blockSize: 2_000, in: directory.journal)
        let paths = try Fixtures.segmentPaths(directory.journal)
        try #require(paths.count == 3)
        #expect(try Fixtures.blockOffsets(of: paths[0]).allSatisfy { !$0.header.compressedHard })
        let sizeBefore = try Damage.size(paths[0])

        let outcomes = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(
            logger: quietLogger)
        #expect(outcomes.map(\.skipped) == [nil, nil, "open: the writer still appends to it"])
        #expect(try Fixtures.blockOffsets(of: paths[0]).allSatisfy { $0.header.compressedHard })
        #expect(try Fixtures.blockOffsets(of: paths[2]).allSatisfy { !$0.header.compressedHard })
        #expect(try Damage.size(paths[0]) < sizeBefore)
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
        let again = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(
            logger: quietLogger)
        #expect(again.map(\.skipped).prefix(2) == ["already compact", "already compact"])
    }

    @Test("a reader halfway through a segment when it is replaced reads every record once")
    func readerBesideCompaction() throws {
        let directory = TemporaryDirectory()
        let hits = try Self.smallBlockJournal(directory)
        var blocks = try JournalReader(directory: JournalDirectory(path: directory.journal)).blocks()
        var read: [Hit] = []
        for _ in 0..<50 {
            let block = try #require(try blocks.next())
            read += (0..<block.count).map { block[$0] }
        }
        _ = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(logger: quietLogger)
        while let block = try blocks.next() { read += (0..<block.count).map { block[$0] } }
        #expect(difference(read, hits) == nil)
        // A reader started after compaction sees the same records in the new blocks.
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
    }

    @Test(
        "blocks listed by their headers load as listed after compaction replaced and retention deleted their segments")
    func listedBlocksOutliveCompactionAndRetention() throws {
        let directory = TemporaryDirectory()
        let hits = try Self.smallBlockJournal(directory)
        let journal = JournalDirectory(path: directory.journal)
        // What a rebuild does: every header first, then the blocks, on other threads, later.
        var headers = try JournalReader(directory: journal).headers()
        var entries: [HeaderIterator.Entry] = []
        while let entry = try headers.next() { entries.append(entry) }
        let outcomes = try JournalCompactor(directory: journal).compact(logger: quietLogger)
        #expect(outcomes.filter { $0.skipped == nil }.count == 2)
        let deleted = try JournalRetention(directory: journal).deleteSegments(olderThan: Self.base + Self.day + 1)
        #expect(deleted.count == 1)
        var loader = BlockLoader()
        var read: [Hit] = []
        for entry in entries {
            let block = try loader.load(entry)
            read += (0..<block.count).map { block[$0] }
        }
        #expect(difference(read, hits) == nil)
    }

    @Test("a damaged sealed segment is left alone, byte for byte, and named")
    func damagedSegmentIsLeftAlone() throws {
        let directory = TemporaryDirectory()
        _ = try Self.smallBlockJournal(directory)
        let paths = try Fixtures.segmentPaths(directory.journal)
        let blocks = try Fixtures.blockOffsets(of: paths[0])
        try Damage.flipBit(paths[0], bit: (blocks[10].offset + Int64(BlockHeader.size) + 3) * 8)
        let damaged = try Data(contentsOf: URL(fileURLWithPath: paths[0]))
        let outcomes = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(
            logger: quietLogger)
        #expect(outcomes.first?.skipped?.contains("damaged") == true, "\(outcomes)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths[0])) == damaged)
        #expect(outcomes.dropFirst().first?.skipped == nil, "the intact segment is still compacted")
    }

    @Test("a copy left by a compaction that died is removed by the next one, and readers never see it")
    func leftoverCopyIsIgnoredAndRemoved() throws {
        let directory = TemporaryDirectory()
        let hits = try Self.smallBlockJournal(directory)
        let leftover = directory.journal + "/00000000000000000000.compact.seg.tmp"
        try Data("half a segment".utf8).write(to: URL(fileURLWithPath: leftover))
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
        _ = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(logger: quietLogger)
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
    }
}
