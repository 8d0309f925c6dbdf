import Testing

@testable import Journal

@Suite("Block codec")
struct CodecTests {
    static let allLayouts: [BlockHeader.Layout] = [
        .narrowVisitorIDs, .profileReferences, .riceTimestamps, .visitorProfiles, .columns,
    ]

    @Test(
        "every field of every record survives a block round trip, in every layout",
        arguments: [1, 2, 3, 100, 1000, 8192], Self.allLayouts)
    func roundTripGenerated(count: Int, layout: BlockHeader.Layout) throws {
        let hits = Fixtures.generated(count)
        let block = try roundTrip(hits, firstSequence: 77, layout: layout)
        #expect(block.count == hits.count)
        #expect(difference((0..<block.count).map { block[$0] }, hits) == nil)
        #expect(block.header.firstSequence == 77)
        #expect(block.sequence(at: block.count - 1) == 77 + UInt64(count) - 1)
    }

    @Test(
        "awkward values survive: unicode, 2,000-char strings, 30 props, negative and unordered times",
        arguments: [1, 7, 500], Self.allLayouts)
    func roundTripAwkward(seed: UInt64, layout: BlockHeader.Layout) throws {
        var hits = Fixtures.awkward(300, seed: seed)
        // One visitor whose records differ in every profile field still reads back record by record.
        for index in stride(from: 0, to: hits.count, by: 3) { hits[index].visitorID = 42 }
        let block = try roundTrip(hits, firstSequence: 0, layout: layout)
        #expect(difference((0..<block.count).map { block[$0] }, hits) == nil)
        #expect(block.header.minTimestamp == hits.map(\.timestamp).min())
        #expect(block.header.maxTimestamp == hits.map(\.timestamp).max())
    }

    @Test(
        "visitor ids are 48 bits wherever a hit is made or read: whole 64-bit hashes in an older journal read back cut",
        arguments: Self.allLayouts)
    func visitorIDsAreCut(layout: BlockHeader.Layout) throws {
        let wide: [UInt64] = [.max, 0xFFFF_0000_0000_0001, 0x8000_1234_5678_9ABC, 0x0000_FFFF_FFFF_FFFF, 0]
        #expect(
            wide.map { Hit(timestamp: 0, site: "a.example", visitorID: $0).visitorID }
                == wide.map { $0 & Hit.visitorIDMask })
        // What a build before 48-bit ids wrote: the whole hash (set after `init`, which would cut it).
        var hits = wide.enumerated().map { Hit(timestamp: Int64($0.offset), site: "a.example", visitorID: 0) }
        for index in hits.indices { hits[index].visitorID = wide[index] }
        let block = try roundTrip(hits, firstSequence: 0, layout: layout)
        #expect(block.visitorIDs == wide.map { $0 & Hit.visitorIDMask })
        #expect(Hit.visitorIDMask == 0xFFFF_FFFF_FFFF)
    }

    @Test("dictionaries are ordered byte by byte in UTF-8, prefixes first, as the journal format says")
    func dictionaryOrderIsUTF8ByteOrder() {
        let words = Set(Fixtures.awkward(200, seed: 3).flatMap { [$0.pathname, $0.referrer, $0.utm.term] })
            .union(["", "a", "ab", "b", "é", "e\u{301}", "Z", "😀", "日本"])
        for a in words {
            for b in words {
                #expect(
                    BlockEncoder.precedesInUTF8(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8),
                    "\(a.debugDescription) against \(b.debugDescription)")
            }
        }
    }

    @Test("a column with more distinct values than are searched one by one keeps every record's value")
    func manyDistinctValues() {
        var random = SeededRandom(seed: 8)
        let count = DictionaryBuilder<String>.linearLimit * 4
        let records = (0..<1_000).map { _ in "value \(random.next() % UInt64(count))" }
        var builder = DictionaryBuilder<String>(capacity: records.count)
        for value in records { builder.add(value) }
        #expect(builder.values.count == Set(records).count)
        #expect(builder.indices.map { builder.values[Int($0)] } == records)
        #expect(builder.intern("value 3") == builder.values.firstIndex(of: "value 3").map(UInt32.init))
    }

    @Test("a sorted column lists its values in byte order and keeps every record's value, few or many")
    func sortedColumns() {
        var random = SeededRandom(seed: 9)
        for distinct in [1, 2, 3, 7, DictionaryBuilder<String>.linearLimit, DictionaryBuilder<String>.linearLimit + 5] {
            for _ in 0..<50 {
                let records = (0..<40).map { _ in "v\(random.next() % UInt64(distinct * 3))" }
                var builder = DictionaryBuilder<String>(capacity: records.count)
                for value in records { builder.add(value) }
                builder.sort(by: BlockEncoder.precedesInUTF8)
                #expect(builder.values == Set(records).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
                #expect(builder.indices.map { builder.values[Int($0)] } == records)
            }
        }
    }

    @Test("the site filter admits every site in a block and rejects most others")
    func siteFilter() throws {
        let sites = (0..<3).map { "site\($0).example" }
        let hits = sites.map { Hit(timestamp: 0, site: $0, visitorID: 1) }
        let header = try BlockEncoder.encode(hits, firstSequence: 0).header
        for site in sites { #expect(header.sites.mayContain(site)) }
        let others = (0..<1000).map { "other\($0).example" }.filter { header.sites.mayContain($0) }
        #expect(others.count < 50, "a 3-site filter should reject most foreign sites, admitted \(others.count)")
    }

    @Test("realistic traffic takes well under 24 bytes a record in a full block")
    func compactness() throws {
        let hits = Fixtures.generated(8192)
        let encoded = try BlockEncoder.encode(hits, firstSequence: 0)
        let perRecord = Double(encoded.bytes.count) / Double(hits.count)
        #expect(perRecord < 24, "\(perRecord) bytes per record")
        // Storing what a visitor's records share once per visitor is what makes it smaller, and
        // the arrival gaps in Rice codes smaller still.
        let columns = BlockEncoder.compress(try BlockEncoder.columns(hits, layout: .columns), chain: nil)
        let profiles = BlockEncoder.compress(try BlockEncoder.columns(hits, layout: .visitorProfiles), chain: nil)
        let rice = BlockEncoder.compress(try BlockEncoder.columns(hits, layout: .riceTimestamps), chain: nil)
        let references = BlockEncoder.compress(try BlockEncoder.columns(hits, layout: .profileReferences), chain: nil)
        #expect(encoded.header.layout == .narrowVisitorIDs)
        #expect(Double(profiles.compressedLength) < Double(columns.compressedLength) * 0.95)
        #expect(
            rice.compressedLength < profiles.compressedLength - hits.count / 8,
            "Rice codes save at least an eighth of a byte a record")
        #expect(
            references.compressedLength < rice.compressedLength - hits.count / 4,
            "profile references save at least a quarter of a byte a record")
        let visitors = Set(hits.map(\.visitorID)).count
        #expect(
            encoded.bytes.count - BlockHeader.size <= references.compressedLength - visitors * 3 / 2,
            "48-bit visitor ids in six bytes save at least one and a half bytes a visitor")
    }

    @Test("a damaged payload is reported as corrupt, never a crash", arguments: 0..<4)
    func damagedPayloads(round: Int) throws {
        let hits = Fixtures.awkward(200, seed: UInt64(round))
        let encoded = try BlockEncoder.encode(hits, firstSequence: 0)
        var random = SeededRandom(seed: UInt64(round), streams: 99)
        var rejected = 0
        for _ in 0..<300 {
            var payload = Array(encoded.bytes[BlockHeader.size...])
            for _ in 0..<(1 + Int(random.next() % 4)) {
                payload[Int(random.next() % UInt64(payload.count))] ^= UInt8(1 << (random.next() % 8))
            }
            // Whatever the bytes, decoding either fails cleanly or yields a block of the stated size.
            do {
                let block = try payload.withUnsafeBytes {
                    try BlockDecoder.decode(header: encoded.header, compressed: $0)
                }
                #expect(block.count == hits.count)
            } catch let error as JournalError {
                #expect(error.code == .corrupt)
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }

    @Test("CRC-32C matches the standard check value")
    func crc() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test("the processor's CRC-32C instruction and the software agree on every length and alignment")
    func crcHardwareEqualsSoftware() {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 4087 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    let seed = UInt32.random(in: 0...UInt32.max, using: &random)
                    #expect(
                        CRC32C.checksum(slice, continuing: seed) == CRC32C.software(slice, continuing: seed),
                        "start \(start), length \(length)")
                }
            }
        }
        #expect(CRC32C.software(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }

    private func roundTrip(_ hits: [Hit], firstSequence: UInt64, layout: BlockHeader.Layout = .visitorProfiles)
        throws -> HitBlock
    {
        let encoded = BlockEncoder.compress(try BlockEncoder.columns(hits, layout: layout), chain: nil).block(
            firstSequence: firstSequence)
        #expect(encoded.header.layout == layout)
        let header = try encoded.bytes.withUnsafeBytes { try BlockHeader.decode($0).get() }
        #expect(header == encoded.header)
        return try encoded.bytes.withUnsafeBytes {
            try BlockDecoder.decode(
                header: header, compressed: UnsafeRawBufferPointer(rebasing: $0[BlockHeader.size...]))
        }
    }
}
