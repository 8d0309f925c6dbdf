import Testing

@testable import Journal

/// The Rice codes of a block's arrival gaps read back exactly, whatever the gaps: none, all the
/// same, geometric with outliers of hours or of the whole 64-bit range; cut codes are refused.
struct RiceCodeTests {
    static func roundTrip(_ values: [UInt64]) throws -> [UInt64] {
        var writer = ByteWriter()
        RiceCode.append(values, to: &writer)
        // The decoder's slack: 8 readable bytes past the end.
        let bytes = writer.bytes + [UInt8](repeating: 0, count: 8)
        return try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<writer.count]))
            let values = try RiceCode.read(count: values.count, from: &reader)
            #expect(reader.remaining == 0)
            return values
        }
    }

    @Test("gaps of every shape read back exactly, outliers through the escape")
    func roundTrips() throws {
        var random = SeededRandom(seed: 5)
        let geometric = (0..<8_192).map { _ in random.next() % 2_000 }
        var outliers = geometric
        for index in stride(from: 100, to: outliers.count, by: 1_000) { outliers[index] = 3_600_000 + UInt64(index) }
        outliers[7] = .max
        outliers[8] = 1 << 63
        for values in [
            [], [0], [UInt64](repeating: 0, count: 100), [UInt64](repeating: 977, count: 50), geometric, outliers,
        ] {
            #expect(try Self.roundTrip(values) == values)
        }
        // The escape costs 96 bits for each outlier, not a unary run of their size.
        var writer = ByteWriter()
        RiceCode.append(outliers, to: &writer)
        #expect(writer.count < geometric.count * 2)
    }

    /// Every parameter 0…48 estimated over every bit length, then the best one's neighbours costed
    /// exactly: the search as it was before it learned to stop at the longest value's length.
    static func fullSearch(_ values: [UInt64]) -> Int {
        guard !values.isEmpty else { return 0 }
        var counts = [Double](repeating: 0, count: 65)
        var sums = [Double](repeating: 0, count: 65)
        for value in values {
            counts[64 - value.leadingZeroBitCount] += 1
            sums[64 - value.leadingZeroBitCount] += Double(value)
        }
        var best = 0
        var bestCost = Double.infinity
        for k in 0...RiceCode.maxParameter {
            var estimate = 0.0
            for length in 0...64 where counts[length] > 0 {
                estimate +=
                    length - k >= 6
                    ? counts[length] * 96
                    : counts[length] * Double(1 + k) + (length > k ? sums[length] / Double(1 << UInt64(k)) : 0)
            }
            if estimate < bestCost { (best, bestCost) = (k, estimate) }
        }
        var exact = RiceCode.cost(values, k: best)
        for k in [best - 1, best + 1] where k >= 0 && k <= RiceCode.maxParameter {
            let candidate = RiceCode.cost(values, k: k)
            if candidate < exact { (best, exact) = (k, candidate) }
        }
        return best
    }

    @Test("the parameter is the one a search over every parameter picks, so journals encode byte for byte as before")
    func parameterMatchesTheFullSearch() {
        var random = SeededRandom(seed: 11)
        for round in 0..<2_000 {
            let count = 1 + Int(random.next() % 40)
            let scale = UInt64(1) << (random.next() % 64)
            var values = (0..<count).map { _ in random.next() % scale }
            if round % 7 == 0 { values[0] = .max }
            if round % 11 == 0 { values = values.map { _ in 0 } }
            #expect(RiceCode.parameter(for: values) == Self.fullSearch(values), "values \(values)")
        }
    }

    @Test("codes cut short are refused as out of bounds")
    func cutCodes() throws {
        var random = SeededRandom(seed: 6)
        let values = (0..<500).map { _ in random.next() % 5_000 }
        var writer = ByteWriter()
        RiceCode.append(values, to: &writer)
        // Claim fewer code bytes than were written: the values run past them.
        var bytes = writer.bytes
        let declared = Int(bytes[1]) | Int(bytes[2] & 0x7F) << 7
        #expect(bytes[1] & 0x80 != 0 && declared > 100)
        bytes[1] = UInt8(0x80 | (declared - 100) & 0x7F)
        bytes[2] = UInt8((declared - 100) >> 7)
        let padded = bytes + [UInt8](repeating: 0, count: 8)
        padded.withUnsafeBytes { raw in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<bytes.count]))
            #expect(throws: ByteReader.OutOfBounds.self) { try RiceCode.read(count: values.count, from: &reader) }
        }
    }
}
