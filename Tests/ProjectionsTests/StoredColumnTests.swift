import Journal
import Testing

@testable import Projections

/// A visit-table column written in its smallest form reads back as the same values.
struct StoredColumnTests {
    static func roundTrip(_ values: [UInt32], starts: Bool) throws -> [UInt32] {
        let stored = StoredColumn.encode(PackedColumn(values), starts: starts)
        let section = OwnedBytes(count: stored.count)
        stored.withUnsafeBytes { section.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        let column = try VisitTableCodec.packed(try StoredColumn.plain(section), count: values.count, limit: .max)
        return (0..<column.count).map { column[$0] }
    }

    /// Running starts: mostly single steps, a long step, none, and steps mostly 1 (stored sparse).
    static let starts: [[UInt32]] = [
        [0, 1, 2, 3, 5, 9, 10, 11, 30, 31], [0, 100_000, 100_001], [0],
        (0...5_000).map { UInt32($0 + $0 / 100 * 7) },
    ]

    /// The width byte of a stored column, with its form flags.
    static func tag(_ stored: [UInt8]) throws -> UInt8 {
        try stored.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            _ = try reader.readVarint()
            return try reader.read(UInt8.self)
        }
    }

    @Test("running starts are stored as steps and read back exactly, sparse or not", arguments: starts)
    func startsRoundTrip(values: [UInt32]) throws {
        let tag = try Self.tag(StoredColumn.encode(PackedColumn(values), starts: true))
        #expect(tag & StoredColumn.steps != 0)
        #expect(
            (tag & StoredColumn.sparse != 0) == (values.count > 1_000), "only the long run of single steps is sparse")
        #expect(try Self.roundTrip(values, starts: true) == values)
    }

    @Test("mostly zero values are stored sparse and smaller, and read back exactly")
    func sparseRoundTrip() throws {
        var values = [UInt32](repeating: 0, count: 10_000)
        for index in stride(from: 7, to: values.count, by: 13) { values[index] = UInt32(index * 37 % 4_000_000) }
        let stored = StoredColumn.encode(PackedColumn(values), starts: false)
        #expect(stored.count < PackedColumn(values).bytes.count / 2)
        #expect(try Self.roundTrip(values, starts: false) == values)
        // Runs of neighbours (3 in 5 values not 0, 13 bits each), many straddling 32-bit words.
        var runs = [UInt32](repeating: 0, count: 10_000)
        for index in runs.indices where index % 5 < 3 { runs[index] = UInt32(1 + index * 7_919 % 8_000) }
        #expect(try Self.tag(StoredColumn.encode(PackedColumn(runs), starts: false)) & StoredColumn.sparse != 0)
        #expect(try Self.roundTrip(runs, starts: false) == runs)
        let dense = (0..<10_000).map { UInt32($0 % 300) }
        #expect(try Self.roundTrip(dense, starts: false) == dense)
        #expect(try Self.roundTrip([], starts: false) == [])
    }

    /// `bytes` as a section read from a file.
    static func section(_ bytes: [UInt8]) -> OwnedBytes {
        let section = OwnedBytes(count: bytes.count)
        bytes.withUnsafeBytes { section.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return section
    }

    @Test("starts whose steps add up past 2^31, or stored plain and falling, are refused")
    func startsOutOfRange() throws {
        // Three starts stored as two steps of 2^32 − 1 each: the sum would wrap a 32-bit word.
        var writer = ByteWriter(capacity: 16)
        writer.append(varint: 3)
        writer.append(byte: StoredColumn.steps | 32)
        for _ in 0..<2 { writer.append(littleEndian: UInt32.max) }
        #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(Self.section(writer.bytes)) }
        // Four starts stored plain (8 bits each), the third below the second.
        let falling = Self.section([4, 8, 0, 5, 3, 9])
        #expect(throws: ByteReader.OutOfBounds.self) { try VisitTableCodec.verifyStarts(falling, count: nil) }
        // The same in whole words, the form starts decoded from steps take.
        let fallingWords = Self.section([3, 32, 0, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0])
        #expect(throws: ByteReader.OutOfBounds.self) { try VisitTableCodec.verifyStarts(fallingWords, count: nil) }
        try VisitTableCodec.verifyStarts(Self.section([3, 32, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0]), count: nil)
        let rising = Self.section([4, 8, 0, 5, 6, 9])
        try VisitTableCodec.verifyStarts(rising, count: nil)
    }

    @Test("a cut or inconsistent column is refused as malformed, never read past its end")
    func malformed() throws {
        var values = [UInt32](repeating: 0, count: 4_000)
        for index in stride(from: 3, to: values.count, by: 17) { values[index] = 900 }
        for starts in [false, true] {
            let input = starts ? (0..<4_000).map { UInt32($0 * 2) } : values
            let stored = StoredColumn.encode(PackedColumn(input), starts: starts)
            #expect(stored[stored.startIndex + 2] & (StoredColumn.sparse | StoredColumn.steps) != 0)
            for cut in [stored.count - 1, stored.count / 2, 4] {
                let section = OwnedBytes(count: cut)
                stored.withUnsafeBytes { section.pointer.copyMemory(from: $0.baseAddress!, byteCount: cut) }
                #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(section) }
            }
        }
    }
}
