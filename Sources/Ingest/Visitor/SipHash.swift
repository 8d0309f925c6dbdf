import Journal

/// SipHash-2-4 (Aumasson & Bernstein): a keyed hash made for short inputs, so that without the key
/// nobody can compute or reverse a visitor id.
struct SipHash {
    private var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64
    private var tail: UInt64 = 0
    private var tailBytes = 0
    private var length = 0

    /// A hasher keyed with 16 bytes (as two little-endian words).
    init(key0: UInt64, key1: UInt64) {
        v0 = key0 ^ 0x736F_6D65_7073_6575
        v1 = key1 ^ 0x646F_7261_6E64_6F6D
        v2 = key0 ^ 0x6C79_6765_6E65_7261
        v3 = key1 ^ 0x7465_6462_7974_6573
    }

    @inline(__always)
    private mutating func round() {
        v0 &+= v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32)
        v2 &+= v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2
        v0 &+= v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0
        v2 &+= v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32)
    }

    @inline(__always)
    private mutating func compress(_ m: UInt64) {
        v3 ^= m
        round()
        round()
        v0 ^= m
    }

    /// Feeds bytes.
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        length += bytes.count
        if tailBytes > 0 {
            while tailBytes < 8 && index < bytes.count {
                tail |= UInt64(bytes[index]) << UInt64(tailBytes * 8)
                tailBytes += 1
                index += 1
            }
            guard tailBytes == 8 else { return }
            compress(tail)
            tail = 0
            tailBytes = 0
        }
        while bytes.count - index >= 8 {
            compress(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        while index < bytes.count {
            tail |= UInt64(bytes[index]) << UInt64(tailBytes * 8)
            tailBytes += 1
            index += 1
        }
    }

    /// Feeds a string's UTF-8 bytes followed by a 0 separator, so that ("ab","c") ≠ ("a","bc").
    mutating func combine(_ string: String) {
        string.withBorrowedUTF8 { combine(UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(0)) { combine($0) }
    }

    /// The 64-bit hash.
    mutating func finalize() -> UInt64 {
        let b = (UInt64(truncatingIfNeeded: length) << 56) | tail
        compress(b)
        v2 ^= 0xFF
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
