import Foundation
import InfinityTestSupport
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

    /// A section's bytes, copied while it is alive.
    static func bytes(_ section: OwnedBytes) -> [UInt8] {
        withExtendedLifetime(section) { Array(section.buffer) }
    }

    @Test("starts whose steps add up past 2^31, or stored in another form and falling, are refused")
    func startsOutOfRange() throws {
        // Three starts stored as two steps of 2^32 − 1 each: the sum would wrap a 32-bit word.
        var writer = ByteWriter(capacity: 16)
        writer.append(varint: 3)
        writer.append(byte: StoredColumn.steps | 32)
        for _ in 0..<2 { writer.append(littleEndian: UInt32.max) }
        #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(Self.section(writer.bytes)) }
        // Four starts stored plain (8 bits each), the third below the second: refused as starts,
        // read as they are as any other column.
        let falling = Self.section([4, 8, 0, 5, 3, 9])
        #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(falling, starts: true) }
        #expect(try Self.bytes(StoredColumn.plain(falling)) == [4, 8, 0, 5, 3, 9])
        // The same in whole words, and a start that repeats the one before.
        let fallingWords = Self.section([3, 32, 0, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0])
        #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(fallingWords, starts: true) }
        let repeated = Self.section([3, 8, 0, 5, 5])
        #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(repeated, starts: true) }
        // Falling starts stored sparse (not as steps): values 0, 0, …, 9 at 2 and 3 at 5.
        var values = [UInt32](repeating: 0, count: 40)
        values[2] = 9
        values[5] = 3
        let sparse = StoredColumn.encode(PackedColumn(values), starts: false)
        #expect(try Self.tag(sparse) & StoredColumn.sparse != 0)
        #expect(throws: ByteReader.OutOfBounds.self) { try StoredColumn.plain(Self.section(sparse), starts: true) }
        // Rising starts in each plain width read back as they are.
        for rising in [[4, 8, 0, 5, 6, 9], [3, 32, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0]] as [[UInt8]] {
            #expect(try Self.bytes(StoredColumn.plain(Self.section(rising), starts: true)) == rising)
        }
    }

    @Test("a day file whose visit starts fall is refused as damaged, naming the file and the column")
    func fallingStartsInADayFile() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 1, perDay: 2_000)
        _ = try Fixtures.rebuild(data: data.path)
        let path = try Fixtures.anyDayFile(data: data.path)
        let file = try RollupCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        // The day's visit starts stored plain (the width byte without flags), two of them swapped.
        var starts: [UInt32] = []
        for index in 0..<file.visits.visitStarts.count { starts.append(file.visits.visitStarts[index]) }
        #expect(starts.count > 10)
        starts.swapAt(3, 4)
        var plain = ByteWriter(capacity: 16)
        plain.append(varint: UInt64(starts.count))
        let packed = PackedColumn(starts)
        plain.append(byte: UInt8(packed.width))
        withExtendedLifetime(packed) { plain.append(contentsOf: packed.bytes) }
        let visits = DaySection.column(.visits)
        let sections = RollupCodec.sections(of: file)
        #expect(sections.contains { $0.0 == visits })
        let damaged = RollupCodec.encode(sections: sections.map { $0.0 == visits ? (visits, plain.bytes) : $0 })
        do {
            _ = try DayFileReader(bytes: damaged, path: path).visits(.structure)
            Issue.record("falling visit starts were read as if sound")
        } catch let error as ProjectionError {
            #expect("\(error)".contains(path))
            #expect("\(error)".contains("visit column"))
        }
        // The same file with its own sections reads.
        let sound = RollupCodec.encode(sections: sections)
        #expect(try DayFileReader(bytes: sound, path: path).visits(.structure).visitCount == starts.count - 1)
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
