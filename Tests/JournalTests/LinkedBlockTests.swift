import Foundation
import Testing

@testable import Journal

/// A live server writes one small block per group commit; each is compressed against the blocks
/// before it in its chain (a linked block). These tests guard that every reader still gets every
/// record, whatever order it reads blocks in, and what damage to a linked block costs.
@Suite("linked blocks")
struct LinkedBlockTests {
    static let day: Int64 = 86_400_000
    static let base = 20_100 * day

    /// Realistic hits of two sites on one UTC day, 30 s apart.
    static func hits(_ count: Int) -> [Hit] {
        Fixtures.generated(count, seed: 5).enumerated().map { index, hit in
            var hit = hit
            hit.timestamp = base + Int64(index) * 3_000
            return hit
        }
    }

    static func blocks(_ directory: TemporaryDirectory) throws -> [(offset: Int64, length: Int, header: BlockHeader)] {
        try Fixtures.segmentPaths(directory.journal).flatMap { try Fixtures.blockOffsets(of: $0) }
    }

    @Test("small blocks are linked, take far fewer bytes than on their own, and read back exactly")
    func smallBlocksAreLinked() throws {
        let directory = TemporaryDirectory()
        let hits = Self.hits(4_000)
        try Fixtures.writeJournal(hits, blockSize: 20, in: directory.journal)
        let blocks = try Self.blocks(directory)
        #expect(blocks.first?.header.codec == .independent)
        #expect(blocks.dropFirst().allSatisfy { $0.header.codec == .linked })
        let linked = blocks.reduce(0) { $0 + $1.length }
        let independent = try stride(from: 0, to: hits.count, by: 20).reduce(0) {
            $0 + (try BlockEncoder.encode(hits[$1..<min($1 + 20, hits.count)], firstSequence: 0).bytes.count)
        }
        #expect(linked * 10 < independent * 7, "linked \(linked) bytes, independent \(independent)")
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
        #expect(try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify().findings.isEmpty)
    }

    @Test(
        "any linked block decodes on its own: blocks loaded in reverse order, and a site's blocks after skipping others"
    )
    func blocksDecodeInAnyOrder() throws {
        let directory = TemporaryDirectory()
        let hits = Self.hits(3_000)
        try Fixtures.writeJournal(hits, blockSize: 7, in: directory.journal)
        let reader = JournalReader(directory: JournalDirectory(path: directory.journal))
        var headers = try reader.headers()
        var entries: [HeaderIterator.Entry] = []
        while let entry = try headers.next() { entries.append(entry) }
        #expect(entries.count > 400)
        var loader = BlockLoader()
        var backwards: [[Hit]] = []
        for entry in entries.reversed() {
            let block = try loader.load(entry)
            backwards.append((0..<block.count).map { block[$0] })
        }
        #expect(difference(backwards.reversed().flatMap { $0 }, hits) == nil)

        // Blocks without the site are skipped unread; the site's linked blocks still decode.
        let site = "shop.example"
        var blocks = try reader.blocks(BlockSelection(site: site))
        var read: [Hit] = []
        var count = 0
        while let block = try blocks.next() {
            read += (0..<block.count).map { block[$0] }.filter { $0.site == site }
            count += 1
        }
        #expect(count < entries.count)
        #expect(difference(read, hits.filter { $0.site == site }) == nil)
    }

    @Test("a chain starts again after a reopen, in a new segment and after its length limit")
    func chainsRestart() throws {
        let directory = TemporaryDirectory()
        let hits = Self.hits(12_000)
        try Fixtures.writeJournal(Array(hits[0..<10_000]), blockSize: 10, in: directory.journal)
        try Fixtures.writeJournal(Array(hits[10_000...]), blockSize: 10, in: directory.journal)
        let blocks = try Self.blocks(directory)
        let reopened = try #require(blocks.firstIndex { $0.header.firstSequence == 10_000 })
        #expect(blocks[reopened].header.codec == .independent)
        // Within the first run, chains restart once their payloads pass the limit, never later.
        var sinceRestart = 0
        var restarts = 0
        for block in blocks[..<reopened] {
            if block.header.codec == .independent {
                restarts += 1
                sinceRestart = 0
            }
            #expect(sinceRestart < JournalAppender.chainLength)
            sinceRestart += Int(block.header.uncompressedLength)
        }
        #expect(restarts >= 2)
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
    }

    @Test("damage to a linked block costs the rest of its chain, and the next chain reads again")
    func damageCostsTheRestOfTheChain() throws {
        let directory = TemporaryDirectory()
        let hits = Self.hits(12_000)
        try Fixtures.writeJournal(hits, blockSize: 10, in: directory.journal)
        let path = try #require(try Fixtures.segmentPaths(directory.journal).first)
        let blocks = try Fixtures.blockOffsets(of: path)
        let starts = blocks.indices.filter { blocks[$0].header.codec == .independent }
        try #require(starts.count >= 2)
        let victim = blocks[starts[0] + 5]
        try Damage.flipBit(path, bit: (victim.offset + Int64(BlockHeader.size) + 3) * 8)
        var iterator = try JournalReader(directory: JournalDirectory(path: directory.journal)).blocks(
            skipDamaged: true)
        var read: [Hit] = []
        while let block = try iterator.next() { read += (0..<block.count).map { block[$0] } }
        let lostFrom = Int(victim.header.firstSequence)
        let lostUntil = Int(blocks[starts[1]].header.firstSequence)
        #expect(iterator.damaged.first?.firstSequence == UInt64(lostFrom))
        #expect(iterator.damaged.map { $0.endSequence - $0.firstSequence }.reduce(0, +) == UInt64(lostUntil - lostFrom))
        #expect(difference(read, Array(hits[..<lostFrom] + hits[lostUntil...])) == nil)
    }

    @Test(
        "blocks only a newer format version has (linked, visitor profiles, Rice-coded times, profile references, narrow visitor ids) are refused as damage in an older segment",
        arguments: [1, 2, 3, 4] as [UInt16])
    func newerBlockInOlderSegment(version: UInt16) throws {
        let directory = TemporaryDirectory()
        try Fixtures.writeJournal(Self.hits(200), blockSize: 10, in: directory.journal)
        let path = try #require(try Fixtures.segmentPaths(directory.journal).first)
        let segment = try SegmentCursor(segment: Fixtures.segment(path)).header
        var old = segment
        old.formatVersion = version
        let bytes = old.encoded()
        try #require(bytes.count == segment.encoded().count)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(report.findings.contains { $0.message.contains("in a segment of format version \(version)") })
        #expect(!report.isClean)
    }

    @Test(
        "a segment of an older format version keeps its kind of blocks when appended to and when compacted",
        arguments: [1, 2, 3, 4] as [UInt16])
    func olderSegmentKeepsItsLayout(version: UInt16) throws {
        let layout = BlockHeader.Layout.newest(forFormatVersion: version)
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.journal, withIntermediateDirectories: true)
        let hits = Self.hits(3_000)
        // What an older build wrote: its header and independent blocks of its layout.
        var bytes = SegmentHeader(formatVersion: version, createdAt: 0, firstSequence: 0, classifiers: ["test": "1"])
            .encoded()
        for start in stride(from: 0, to: 1_000, by: 100) {
            let raw = try BlockEncoder.columns(hits[start..<(start + 100)], layout: layout)
            bytes += BlockEncoder.compress(raw, chain: nil).block(firstSequence: UInt64(start)).bytes
        }
        let path = directory.journal + "/" + SegmentName.fileName(firstSequence: 0)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // This build appends to it in small blocks, as a live server does after an upgrade.
        try Fixtures.writeJournal(Array(hits[1_000...]), blockSize: 10, in: directory.journal)
        #expect(try Fixtures.segmentPaths(directory.journal) == [path])
        let appended = try Fixtures.blockOffsets(of: path)
        #expect(
            appended.allSatisfy {
                $0.header.layout == layout
                    && (version >= SegmentHeader.linkedBlocksVersion || $0.header.codec == .independent)
            })
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)

        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        let outcomes = try JournalCompactor(directory: JournalDirectory(path: directory.journal)).compact(
            logger: quietLogger)
        #expect(outcomes.first?.skipped == nil)
        let compacted = try Fixtures.blockOffsets(of: path)
        #expect(compacted.count < appended.count && compacted.allSatisfy { $0.header.layout == layout })
        #expect(try SegmentCursor(segment: Fixtures.segment(path)).header.formatVersion == version)
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
        #expect(try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify().findings.isEmpty)
    }
}
