import Foundation
import Testing

@testable import Journal

@Suite("journal verify")
struct VerifyTests {
    /// Three segments (two sealed) of 12 blocks each.
    private static func journal(_ directory: TemporaryDirectory) throws -> [String] {
        let hits = Fixtures.generated(36 * 50, seed: 11)
        try Fixtures.writeJournal(hits, blockSize: 50, in: directory.journal, segmentSizeLimit: 12 * 900)
        let paths = try Fixtures.segmentPaths(directory.journal)
        #expect(paths.count >= 3)
        return paths
    }

    @Test("a clean journal verifies clean")
    func clean() throws {
        let directory = TemporaryDirectory()
        _ = try Self.journal(directory)
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(report.isClean)
        #expect(report.findings.isEmpty)
        #expect(report.records == 36 * 50)
    }

    @Test(
        "every flipped bit in a sealed segment is reported at its block's offset, and so are the linked blocks after it in its chain",
        arguments: [1, 2, 3, 4, 5])
    func flippedBits(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let paths = try Self.journal(directory)
        let sealed = paths[0]
        let blocks = try Fixtures.blockOffsets(of: sealed)
        var random = SeededRandom(seed: seed)
        // Flip one bit in each of four distinct blocks (header or payload, anywhere in the block).
        var damaged: [Int64] = []
        for index in Set((0..<4).map { _ in Int(random.next() % UInt64(blocks.count)) }).sorted() {
            let block = blocks[index]
            let bit = block.offset * 8 + Int64(random.next() % UInt64(block.length * 8))
            try Damage.flipBit(sealed, bit: bit)
            damaged.append(block.offset)
        }
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(!report.isClean)
        let reported = report.findings.filter { $0.file == sealed && $0.severity == .error }.map(\.offset)
        // A linked block is compressed against the blocks before it in its chain, so it cannot be
        // read once one of those is damaged; the next independent block starts a readable chain.
        var unreadable: [Int64] = []
        var chainDamaged = false
        for block in blocks {
            if block.header.codec == .independent { chainDamaged = false }
            if damaged.contains(block.offset) { chainDamaged = true }
            if chainDamaged { unreadable.append(block.offset) }
        }
        #expect(blocks.contains { $0.header.codec == .linked })
        #expect(reported == unreadable, "reported \(reported), damaged \(damaged)")
    }

    @Test("a flipped bit in a segment header is reported")
    func segmentHeaderBit() throws {
        let directory = TemporaryDirectory()
        let paths = try Self.journal(directory)
        try Damage.flipBit(paths[1], bit: 20 * 8 + 3)
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(report.findings.contains { $0.file == paths[1] && $0.offset == 0 && $0.severity == .error })
    }

    @Test("a torn tail of the newest segment is reported but is not damage")
    func tornTail() throws {
        let directory = TemporaryDirectory()
        let paths = try Self.journal(directory)
        let last = paths[paths.count - 1]
        try Damage.truncate(last, to: try Damage.size(last) - 7)
        let report = try JournalVerifier(directory: JournalDirectory(path: directory.journal)).verify()
        #expect(report.isClean)
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.severity == .tornTail)
    }
}
