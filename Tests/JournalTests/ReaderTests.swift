import Testing

@testable import Journal

@Suite("Reading the journal")
struct ReaderTests {
    private static let hits = Fixtures.generated(4000, seed: 31, sites: ["a.example", "b.example", "c.example"])

    private func read(_ directory: String, _ selection: BlockSelection) throws -> (
        hits: [Hit], sequences: [UInt64], blocks: Int
    ) {
        var iterator = try JournalReader(directory: JournalDirectory(path: directory)).blocks(selection)
        var hits: [Hit] = [], sequences: [UInt64] = [], blocks = 0
        while let block = try iterator.next() {
            blocks += 1
            for i in 0..<block.count {
                hits.append(block[i])
                sequences.append(block.sequence(at: i))
            }
        }
        return (hits, sequences, blocks)
    }

    @Test(
        "reading from a sequence number starts in the right segment and block",
        arguments: [0, 1, 99, 100, 2500, 3999, 4000])
    func fromSequence(from: Int) throws {
        let directory = TemporaryDirectory()
        try Fixtures.writeJournal(Self.hits, blockSize: 100, in: directory.journal, segmentSizeLimit: 8 * 1024)
        let result = try read(directory.journal, BlockSelection(from: UInt64(from)))
        let kept = zip(result.sequences, result.hits).filter { $0.0 >= UInt64(from) }
        #expect(difference(kept.map(\.1), Array(Self.hits[from...])) == nil)
        #expect(kept.first.map { $0.0 } == (from < 4000 ? UInt64(from) : nil))
        // Whole blocks before `from` are not read.
        #expect(result.blocks == (4000 - from + 99) / 100)
    }

    @Test("a time range and a site skip whole blocks by their headers")
    func skipping() throws {
        let directory = TemporaryDirectory()
        // Blocks of one site each, so the site filter can skip.
        let bySite = Dictionary(grouping: Self.hits, by: \.site).sorted { $0.key < $1.key }.flatMap(\.value)
        try Fixtures.writeJournal(bySite, blockSize: 100, in: directory.journal)
        let all = try read(directory.journal, BlockSelection())
        let bSite = try read(directory.journal, BlockSelection(site: "b.example"))
        #expect(bSite.hits.filter { $0.site == "b.example" } == bySite.filter { $0.site == "b.example" })
        #expect(bSite.blocks < all.blocks / 2)
        let times = Self.hits.map(\.timestamp).sorted()
        let window = times[1000]..<times[1500]
        let windowed = try read(directory.journal, BlockSelection(time: window))
        #expect(
            windowed.hits.filter { window.contains($0.timestamp) }.count
                == bySite.filter { window.contains($0.timestamp) }.count)
    }

    @Test("readers see only records below a given watermark")
    func until() throws {
        let directory = TemporaryDirectory()
        try Fixtures.writeJournal(Self.hits, blockSize: 100, in: directory.journal)
        let result = try read(directory.journal, BlockSelection(until: 1000))
        #expect(difference(result.hits, Array(Self.hits.prefix(1000))) == nil)
    }

    @Test("a reader in this process reads while the writer appends, and sees only durable blocks")
    func readWhileWriting() async throws {
        let directory = TemporaryDirectory()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        for chunk in 0..<20 {
            let hits = Array(Self.hits[(chunk * 200)..<((chunk + 1) * 200)])
            try writer.enqueue(hits)
            let durable = writer.durableSequence
            let seen = try read(directory.journal, BlockSelection(until: durable))
            #expect(difference(seen.hits, Array(Self.hits.prefix(Int(durable)))) == nil)
        }
        try await writer.close()
        #expect(difference(try Fixtures.readAll(directory.journal), Self.hits) == nil)
    }
}
