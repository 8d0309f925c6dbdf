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

    @Test(
        "running starts, mostly-zero and dense columns read back exactly, whichever form was smaller",
        arguments: [
            [0, 1, 2, 3, 5, 9, 10, 11, 30, 31],  // starts, mostly single steps
            [0, 100_000, 100_001],  // starts, a long step
            [0],  // starts of nothing
            (0...5_000).map { UInt32($0 + $0 / 100 * 7) },  // steps mostly 1: stored sparse
        ] as [[UInt32]])
    func startsRoundTrip(values: [UInt32]) throws {
        #expect(try Self.roundTrip(values, starts: true) == values)
    }

    @Test("mostly zero values are stored sparse and smaller, and read back exactly")
    func sparseRoundTrip() throws {
        var values = [UInt32](repeating: 0, count: 10_000)
        for index in stride(from: 7, to: values.count, by: 13) { values[index] = UInt32(index * 37 % 4_000_000) }
        let stored = StoredColumn.encode(PackedColumn(values), starts: false)
        #expect(stored.count < PackedColumn(values).bytes.count / 2)
        #expect(try Self.roundTrip(values, starts: false) == values)
        let dense = (0..<10_000).map { UInt32($0 % 300) }
        #expect(try Self.roundTrip(dense, starts: false) == dense)
        #expect(try Self.roundTrip([], starts: false) == [])
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
