import Foundation
import Logging
import Testing

@testable import Journal

/// The open segment reserves disk space ahead of its blocks (so that a block's `fdatasync` does
/// not also commit a new file length); everything that reads a segment must stop at its blocks.
@Suite("Space reserved after the open segment's blocks")
struct ReservedSpaceTests {
    static let day: Int64 = 86_400_000

    static func hits(_ count: Int, from first: Int) -> [Hit] {
        (first..<(first + count)).map {
            Hit(timestamp: 20_000 * day + Int64($0) * 1000, site: "a.example", pathname: "/p\($0 % 7)", visitorID: 9)
        }
    }

    static func appender(_ journal: String, logger: Logger = quietLogger, limit: Int64 = 64 << 20) throws
        -> JournalAppender
    {
        try JournalAppender(
            configuration: JournalConfiguration(
                directory: journal, segmentSizeLimit: limit, classifiers: ["test": "1"]),
            logger: logger)
    }

    /// Where the blocks of the segment at `path` end.
    static func blocksEnd(_ path: String) throws -> Int64 {
        let blocks = try Fixtures.blockOffsets(of: path)
        return blocks.last.map { $0.offset + Int64($0.length) } ?? 0
    }

    @Test("readers, stat, verify and backups stop at the open segment's blocks, not at its reserve")
    func readersStopAtTheBlocks() throws {
        let directory = TemporaryDirectory()
        let appender = try Self.appender(directory.journal)
        let written = Self.hits(300, from: 0)
        for start in stride(from: 0, to: written.count, by: 100) {
            _ = try appender.append(written[start..<(start + 100)])
        }
        let path = try #require(try Fixtures.segmentPaths(directory.journal).last)
        let end = try Self.blocksEnd(path)
        #expect(try Damage.size(path) >= end + JournalAppender.reserveStep / 2, "space is reserved ahead")

        #expect(difference(try Fixtures.readAll(directory.journal), written) == nil)
        let stats = try JournalStats(directory: JournalDirectory(path: directory.journal))
        #expect(stats.bytesOnDisk == end)
        #expect(stats.reservedBytes == (try Damage.size(path)) - end)
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.records == 300)

        let copy = directory.path + "/copy"
        _ = try JournalBackup(directory: JournalDirectory(path: directory.journal))
            .copy(to: JournalDirectory(path: copy), previous: [:])
        let copied = try #require(try Fixtures.segmentPaths(copy).last)
        #expect(try Damage.size(copied) == end, "the copy holds the blocks only")
        #expect(difference(try Fixtures.readAll(copy), written) == nil)

        try appender.close()
        #expect(try Damage.size(path) == end, "closing gives the reserve back")
    }

    @Test("a writer reopened after a crash appends right after the last block, without a warning")
    func reopenedWriterContinues() throws {
        let directory = TemporaryDirectory()
        var first: JournalAppender? = try Self.appender(directory.journal)
        let before = Self.hits(200, from: 0)
        _ = try first!.append(before[0..<100])
        _ = try first!.append(before[100..<200])
        first = nil  // gone without closing, as in a crash: the reserve stays
        let path = try #require(try Fixtures.segmentPaths(directory.journal).last)
        #expect(try Damage.size(path) > (try Self.blocksEnd(path)))

        let log = LogRecorder()
        let second = try Self.appender(directory.journal, logger: log.logger)
        #expect(log.all.filter { $0.level >= .warning }.isEmpty, "\(log.all.map(\.message))")
        let after = Self.hits(100, from: 200)
        let header = try second.append(after[...])
        #expect(header.firstSequence == 200)
        #expect(difference(try Fixtures.readAll(directory.journal), before + after) == nil)
        try second.close()
        #expect(try Fixtures.segmentPaths(directory.journal).count == 1)
    }

    @Test("a torn block in the reserve ends reads quietly and is cut when the writer reopens")
    func tornBlockInTheReserve() throws {
        let directory = TemporaryDirectory()
        var first: JournalAppender? = try Self.appender(directory.journal)
        let written = Self.hits(100, from: 0)
        _ = try first!.append(written[...])
        first = nil
        let path = try #require(try Fixtures.segmentPaths(directory.journal).last)
        let end = try Self.blocksEnd(path)
        // Half a block: bytes that are not zeros where the next header belongs.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(end))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 40))
        try handle.close()

        #expect(difference(try Fixtures.readAll(directory.journal), written) == nil)
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(report.isClean)
        #expect(report.findings.map(\.severity) == [.tornTail])

        let log = LogRecorder()
        let second = try Self.appender(directory.journal, logger: log.logger)
        let warning = log.all.first { $0.message.contains("torn tail") }
        #expect(warning?.metadata["bytes"]?.description == "40", "the torn bytes, not the reserve after them")
        let more = Self.hits(50, from: 100)
        _ = try second.append(more[...])
        try second.close()
        #expect(difference(try Fixtures.readAll(directory.journal), written + more) == nil)
        #expect(try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify().findings.isEmpty)
    }

    @Test(
        "blocks after zeros in the open segment are damage: verify names the hole, and the writer never writes over them"
    )
    func holeBeforeIntactBlocks() throws {
        let directory = TemporaryDirectory()
        var first: JournalAppender? = try Self.appender(directory.journal)
        let written = Self.hits(400, from: 0)
        for start in stride(from: 0, to: written.count, by: 100) {
            _ = try first!.append(written[start..<(start + 100)])
        }
        first = nil
        let path = try #require(try Fixtures.segmentPaths(directory.journal).last)
        let blocks = try Fixtures.blockOffsets(of: path)
        try #require(blocks.count == 4)
        let end = blocks[3].offset + Int64(blocks[3].length)
        // The second block reads as zeros, as after a power cut that kept the later blocks only.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(blocks[1].offset))
        try handle.write(contentsOf: Data(count: blocks[1].length))
        try handle.close()

        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        let hole = report.findings.first { $0.message.contains("zeros where a block belongs") }
        #expect(hole?.offset == blocks[1].offset)
        #expect(hole?.severity == .error)

        let log = LogRecorder()
        let second = try Self.appender(directory.journal, logger: log.logger)
        #expect(log.all.contains { $0.level == .error && $0.message.contains("damaged in the middle") })
        let more = Self.hits(10, from: 400)
        let header = try second.append(more[...])
        #expect(header.firstSequence == 400, "numbering goes on after the intact blocks")
        try second.close()
        let segments = try Fixtures.segmentPaths(directory.journal)
        #expect(segments.count == 2, "appending went on in a new segment")
        #expect(try Damage.size(path) == end, "the damaged segment keeps its blocks and loses its reserve")
        let mode = try cast(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions], to: NSNumber.self)
        #expect(mode.intValue & 0o222 == 0, "it is sealed")

        var reader = try JournalReader(directory: JournalDirectory(path: directory.journal)).blocks(skipDamaged: true)
        var read: [Hit] = []
        while let block = try reader.next() { read += (0..<block.count).map { block[$0] } }
        #expect(Array(read.prefix(100)) == Array(written.prefix(100)))
        #expect(Array(read.suffix(10)) == more)
        #expect(reader.damaged.contains { $0.firstSequence == 100 })
    }

    @Test("a sealed segment ends at its last block")
    func sealingCutsTheReserve() throws {
        let directory = TemporaryDirectory()
        let appender = try Self.appender(directory.journal, limit: 16 << 10)
        var random = SeededRandom(seed: 7)
        let written = (0..<6000).map {
            Hit(
                timestamp: 20_000 * Self.day + Int64($0) * 10, site: "a.example",
                pathname: "/\(random.next() % 100_000)", visitorID: random.next() % 1000)
        }
        for start in stride(from: 0, to: written.count, by: 200) {
            _ = try appender.append(written[start..<(start + 200)])
        }
        let segments = try Fixtures.segmentPaths(directory.journal)
        try #require(segments.count >= 2)
        for path in segments.dropLast() {
            #expect(try Damage.size(path) == (try Self.blocksEnd(path)), "\(path)")
        }
        #expect(try Damage.size(segments.last!) > (try Self.blocksEnd(segments.last!)), "the open one reserves")
        try appender.close()
        #expect(difference(try Fixtures.readAll(directory.journal), written) == nil)
    }
}
