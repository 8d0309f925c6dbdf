import Foundation
import Testing

@testable import Journal

@Suite("Recovery after a crash")
struct RecoveryTests {
    /// A journal of 30 blocks in one segment, and its records.
    private static func template(_ directory: TemporaryDirectory) throws -> (hits: [Hit], segment: String) {
        let hits = Fixtures.generated(30 * 40, seed: 3)
        try Fixtures.writeJournal(hits, blockSize: 40, in: directory.journal)
        return (hits, try Fixtures.segmentPaths(directory.journal)[0])
    }

    @Test("cutting the last block at every byte recovers exactly the whole blocks before it, and appends continue")
    func cutEveryByteOfLastBlock() throws {
        let source = TemporaryDirectory()
        let (hits, segment) = try Self.template(source)
        let blocks = try Fixtures.blockOffsets(of: segment)
        let last = blocks[blocks.count - 1]
        let keep = Array(hits.prefix(hits.count - 40))
        let work = TemporaryDirectory()
        let extra = Fixtures.generated(5, seed: 99)
        for cut in last.offset..<(last.offset + Int64(last.length)) {
            try Damage.copyDirectory(source.journal, to: work.journal)
            let path = work.journal + "/" + (segment as NSString).lastPathComponent
            try Damage.truncate(path, to: cut)
            let log = LogRecorder()
            let appender = try JournalAppender(
                configuration: JournalConfiguration(directory: work.journal, classifiers: ["test": "1"]),
                logger: log.logger)
            #expect(appender.nextSequence == UInt64(keep.count), "cut at \(cut)")
            if cut > last.offset {
                #expect(
                    log.all.contains { $0.level == .warning && $0.metadata["offset"] == "\(last.offset)" },
                    "cut at \(cut)")
            }
            // Appending after recovery continues the sequence.
            let header = try appender.append(extra[...])
            #expect(header.firstSequence == UInt64(keep.count))
            try appender.close()
            #expect(try Damage.size(path) == last.offset + Int64(header.totalLength))
            if cut % 97 == 0 || cut == last.offset + Int64(last.length) - 1 {
                #expect(difference(try Fixtures.readAll(work.journal), keep + extra) == nil, "cut at \(cut)")
            }
        }
    }

    @Test(
        "cutting at random offsets anywhere keeps every whole block before the cut",
        arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func cutAtRandomOffsets(seed: UInt64) async throws {
        let source = TemporaryDirectory()
        let (hits, segment) = try Self.template(source)
        let blocks = try Fixtures.blockOffsets(of: segment)
        var random = SeededRandom(seed: seed)
        let size = try Damage.size(segment)
        let headerEnd = blocks[0].offset
        let work = TemporaryDirectory()
        for _ in 0..<5 {
            let cut = headerEnd + Int64(random.next() % UInt64(size - headerEnd))
            try Damage.copyDirectory(source.journal, to: work.journal)
            let path = work.journal + "/" + (segment as NSString).lastPathComponent
            try Damage.truncate(path, to: cut)
            let whole = blocks.filter { $0.offset + Int64($0.length) <= cut }.count
            let writer = try JournalWriter(
                configuration: JournalConfiguration(directory: work.journal, classifiers: ["test": "1"]),
                logger: quietLogger)
            #expect(writer.durableSequence == UInt64(whole * 40))
            try await writer.close()
            #expect(difference(try Fixtures.readAll(work.journal), Array(hits.prefix(whole * 40))) == nil)
        }
    }

    @Test("damage in the middle of the active segment is sealed, not cut: no intact block is lost")
    func damageInMiddleOfActiveSegment() throws {
        let directory = TemporaryDirectory()
        let (hits, segment) = try Self.template(directory)
        let blocks = try Fixtures.blockOffsets(of: segment)
        try Damage.flipBit(segment, bit: (blocks[10].offset + 80) * 8)
        let sizeBefore = try Damage.size(segment)
        let log = LogRecorder()
        let appender = try JournalAppender(
            configuration: JournalConfiguration(directory: directory.journal), logger: log.logger)
        #expect(appender.nextSequence == UInt64(hits.count))
        #expect(log.all.contains { $0.level == .error && $0.metadata["offset"] == "\(blocks[10].offset)" })
        _ = try appender.append(Fixtures.generated(3, seed: 5)[...])
        try appender.close()
        #expect(try Damage.size(segment) == sizeBefore, "the damaged segment must not be cut or appended to")
        #expect(try Fixtures.segmentPaths(directory.journal).count == 2)
        // Readers name the damage instead of skipping it.
        #expect {
            _ = try Fixtures.readAll(directory.journal)
        } throws: { error in
            (error as? JournalError)?.code == .corrupt && (error as? JournalError)?.offset == blocks[10].offset
        }
    }
}
