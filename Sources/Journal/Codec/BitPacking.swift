/// Packs small unsigned integers (dictionary indices, enum values) with the fewest bits they need.
public enum BitPacking {
    /// How many bits it takes to write every value in `0...maxValue`.
    @inline(__always)
    public static func width(forMax maxValue: UInt32) -> Int {
        maxValue == 0 ? 0 : UInt32.bitWidth - maxValue.leadingZeroBitCount
    }

    /// Number of bytes `count` values of `width` bits take.
    @inline(__always)
    public static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Appends the width byte and the packed values (LSB first).
    public static func pack<S: Sequence>(_ values: S, count: Int, width: Int, into writer: inout ByteWriter)
    where S.Element == UInt32 {
        writer.append(byte: UInt8(width))
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        // Straight into the writer: a buffer of its own per column was most of a small block's
        // allocations.
        for value in values {
            accumulator |= UInt64(value) << UInt64(bits)
            bits += width
            while bits >= 8 {
                writer.append(byte: UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { writer.append(byte: UInt8(truncatingIfNeeded: accumulator)) }
    }

    /// Reads the width byte and `count` packed values, each of which must be `< limit`.
    ///
    /// The buffer behind `reader` must have at least 8 readable bytes past its end (the block
    /// decoder allocates that slack) so that each value is one unaligned 64-bit load.
    public static func unpack(count: Int, limit: UInt32, from reader: inout ByteReader) throws -> [UInt32] {
        let width = Int(try reader.read(UInt8.self, "bit width"))
        guard width <= 32 else { throw ByteReader.OutOfBounds(what: "bit width \(width)") }
        if width == 0 {
            guard count == 0 || limit > 0 else { throw ByteReader.OutOfBounds(what: "index into empty dictionary") }
            return [UInt32](repeating: 0, count: count)
        }
        let packed = try reader.readBytes(byteCount(count: count, width: width), "packed values")
        guard let base = packed.baseAddress else { return [] }
        let mask = (UInt64(1) << UInt64(width)) &- 1
        var largest: UInt32 = 0
        let values = [UInt32](unsafeUninitializedCapacity: count) { output, initialized in
            var bit = 0
            for i in 0..<count {
                let word = base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self)
                let value = UInt32(truncatingIfNeeded: (UInt64(littleEndian: word) &>> UInt64(bit & 7)) & mask)
                output[i] = value
                largest = Swift.max(largest, value)
                bit &+= width
            }
            initialized = count
        }
        guard count == 0 || largest < limit else {
            throw ByteReader.OutOfBounds(what: "index \(largest) past dictionary of \(limit)")
        }
        return values
    }
}
