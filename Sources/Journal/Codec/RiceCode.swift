/// Golomb–Rice codes for small unsigned integers with a geometric spread, such as the gaps between
/// the arrival times of hits: each value `v` is `q = v >> k` written in unary (`q` zero bits, then a
/// one bit) followed by its `k` low bits, least significant bit first. One parameter `k` serves a
/// whole column, the one that makes it shortest. A value with `q ≥ 32` (an hour's gap among
/// seconds) is escaped: 32 zero bits, then the value in 64 bits.
///
/// On disk (`Docs/journal-format.md`): a byte `k` (≤ 48), a varint byte length `L`, then `L` bytes
/// of codes. Arrival gaps of ~1 s cost about 12 bits a hit this way, against about 15 as zigzag
/// varints compressed with LZ4.
public enum RiceCode {
    static let escape = 32
    static let maxParameter = 48

    /// Appends `values` coded with the parameter that makes them shortest.
    public static func append(_ values: [UInt64], to writer: inout ByteWriter) {
        let k = parameter(for: values)
        var bits = BitWriter(capacity: values.count * (k + 2) / 8 + 16)
        for value in values {
            let q = value >> UInt64(k)
            if q >= UInt64(escape) {
                bits.append(0, count: escape)
                bits.append(value & 0xFFFF_FFFF, count: 32)
                bits.append(value >> 32, count: 32)
            } else {
                // q zero bits, then the one bit that ends them, then the k low bits.
                bits.append(1 << q, count: Int(q) + 1)
                if k > 0 { bits.append(value & ((1 << UInt64(k)) - 1), count: k) }
            }
        }
        let bytes = bits.finish()
        writer.append(byte: UInt8(k))
        writer.append(varint: UInt64(bytes.count))
        writer.append(contentsOf: bytes)
    }

    /// Number of bits `values` take with parameter `k`.
    static func cost(_ values: [UInt64], k: Int) -> Int {
        var total = 0
        for value in values {
            let q = value >> UInt64(k)
            total &+= q >= UInt64(escape) ? escape + 64 : Int(q) + 1 + k
        }
        return total
    }

    /// The parameter that makes `values` shortest. One pass sorts the values by bit length (a
    /// count and a sum per length), which gives every parameter's cost up to rounding — an
    /// outlier of hours among gaps of a second moves it by one escape, not the whole block —
    /// and the best one and its neighbours are then costed exactly.
    static func parameter(for values: [UInt64]) -> Int {
        guard !values.isEmpty else { return 0 }
        // Counts and sums by bit length (0…64) on the stack: this runs for every block, and a live
        // server's blocks hold about 20 values, so allocations and fixed loops were most of its cost.
        let estimated = withUnsafeTemporaryAllocation(of: Double.self, capacity: 130) { table in
            table.initialize(repeating: 0)
            var longest = 0
            for value in values {
                let length = UInt64.bitWidth - value.leadingZeroBitCount
                longest = max(longest, length)
                table[length] += 1
                table[65 + length] += Double(value)
            }
            var best = 0
            var bestCost = Double.infinity
            // Past the longest value every quotient is 0 and each step only adds a bit a value.
            for k in 0...min(maxParameter, longest) {
                // A value of bit length b has a quotient of b − k bits: below 32 up to 5 of them.
                var estimate = 0.0
                for length in 0...longest where table[length] > 0 {
                    if length - k >= 6 {
                        estimate += table[length] * Double(escape + 64)
                    } else {
                        estimate +=
                            table[length] * Double(1 + k)
                            + (length > k ? table[65 + length] / Double(1 << UInt64(k)) : 0)
                    }
                }
                if estimate < bestCost { (best, bestCost) = (k, estimate) }
            }
            return best
        }
        var best = estimated
        var exact = cost(values, k: best)
        for k in stride(from: best - 1, through: best + 1, by: 2) where k >= 0 && k <= maxParameter {
            let candidate = cost(values, k: k)
            if candidate < exact { (best, exact) = (k, candidate) }
        }
        return best
    }

    /// Reads `count` values. The buffer behind `reader` must have at least 8 readable bytes past
    /// its end (the block decoder allocates that slack): every read is one unaligned 64-bit load.
    public static func read(count: Int, from reader: inout ByteReader) throws -> [UInt64] {
        let k = Int(try reader.read(UInt8.self, "Rice parameter"))
        guard k <= maxParameter else { throw ByteReader.OutOfBounds(what: "Rice parameter \(k)") }
        let length = try reader.readCount(limit: reader.remaining, "Rice codes length")
        let codes = try reader.readBytes(length, "Rice codes")
        guard count > 0 else { return [] }
        guard let base = codes.baseAddress else { throw ByteReader.OutOfBounds(what: "Rice codes") }
        let end = length * 8
        let lowMask = (UInt64(1) << UInt64(k)) &- 1
        var bit = 0
        @inline(__always) func peek() -> UInt64 {
            UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self)) &>> UInt64(bit & 7)
        }
        var values = [UInt64](repeating: 0, count: count)
        for index in 0..<count {
            // At least 57 valid bits in each peek; the bounds are checked once per value.
            guard bit < end else { throw ByteReader.OutOfBounds(what: "Rice codes") }
            let zeros = peek().trailingZeroBitCount
            if zeros >= escape {
                bit &+= escape
                let low = peek() & 0xFFFF_FFFF
                bit &+= 32
                let high = peek() & 0xFFFF_FFFF
                bit &+= 32
                values[index] = low | high << 32
            } else {
                bit &+= zeros &+ 1
                let low = peek() & lowMask
                bit &+= k
                values[index] = UInt64(zeros) << UInt64(k) | low
            }
        }
        guard bit <= end else { throw ByteReader.OutOfBounds(what: "Rice codes") }
        return values
    }
}
