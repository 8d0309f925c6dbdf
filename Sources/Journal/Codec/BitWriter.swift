/// Bits appended least significant first into bytes.
struct BitWriter {
    private var bytes: [UInt8]
    private var accumulator: UInt64 = 0
    private var filled = 0

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends the `count` (≤ 57) low bits of `value`.
    mutating func append(_ value: UInt64, count: Int) {
        accumulator |= value << UInt64(filled)
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            filled -= 8
        }
    }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
        accumulator = 0
        filled = 0
        return bytes
    }
}
