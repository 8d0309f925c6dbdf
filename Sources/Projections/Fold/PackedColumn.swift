/// Bytes in memory owned by one object and freed with it, with zero slack bytes after the end so
/// that bit-unpacking can always load a whole 64-bit word.
///
/// `@unchecked Sendable`: the bytes are written only while the owner is being built (by the
/// initializer or by the one reader that fills a section), and never after it is shared.
final class OwnedBytes: @unchecked Sendable {
    /// Zero bytes kept after `count`.
    static let slack = 8

    /// The bytes.
    let pointer: UnsafeMutableRawPointer
    /// Number of bytes, without the slack.
    let count: Int

    /// `count` zero bytes.
    init(count: Int) {
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: count + Self.slack, alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count + Self.slack)
    }

    deinit { pointer.deallocate() }

    /// The bytes as a buffer (without the slack).
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }
}

/// A column of small unsigned integers, each stored in `width` bits (least significant first) and
/// read in place: nothing is decoded until a value is asked for, so a question that touches a few
/// visits of a day never pays for the rest.
///
/// Values above `limit` read as `limit`, so a damaged column can give wrong numbers but never an
/// index out of bounds (files are checksummed, so this guards against bugs, not against disks).
///
/// `@unchecked Sendable`: `base` points into `storage`, which the column keeps alive and which is
/// never written once the column exists.
struct PackedColumn: @unchecked Sendable {
    /// Number of values.
    let count: Int
    /// Bits per value, 0…32.
    let width: Int
    private let storage: OwnedBytes?
    /// How many values are not 0, when known (columns packed from values; not those read in place).
    private(set) var nonZero: Int?
    /// The values, read through a plain pointer into `storage`.
    let view: PackedView

    /// An empty column.
    init() {
        self.init(storage: nil, offset: 0, count: 0, width: 0, limit: 0)
    }

    /// `values` packed with the fewest bits their largest needs.
    init(_ values: [UInt32]) {
        // One pass finds the largest value and counts those that are not 0 (for ``StoredColumn``).
        var largest: UInt32 = 0
        var nonZero: UInt32 = 0
        values.withUnsafeBufferPointer { values in
            // Branch-free, so that the compiler vectorizes it: (v | -v) has its top bit set unless v is 0.
            for value in values {
                largest = Swift.max(largest, value)
                nonZero &+= (value | (0 &- value)) &>> 31
            }
        }
        let width = largest == 0 ? 0 : UInt32.bitWidth - largest.leadingZeroBitCount
        let storage = OwnedBytes(count: (values.count * width + 7) / 8)
        values.withUnsafeBufferPointer { Self.pack($0, width: width, into: storage.pointer) }
        self.init(storage: storage, offset: 0, count: values.count, width: width, limit: largest)
        self.nonZero = Int(nonZero)
    }

    /// Packs `values` in `width` bits each at `out`, which must have room for them plus 4 bytes
    /// (the last 32-bit word is written whole).
    static func pack(_ values: UnsafeBufferPointer<UInt32>, width: Int, into out: UnsafeMutableRawPointer) {
        pack(count: values.count, width: width, into: out) { values[$0] }
    }

    /// Packs `count` values, the `index`th of them `value(index)` (below 2^`width`), as
    /// ``pack(_:width:into:)`` does; for values made while they are packed.
    @inline(__always)
    static func pack(
        count: Int, width: Int, into out: UnsafeMutableRawPointer, _ value: (Int) -> UInt32
    ) {
        guard width > 0 else { return }
        // Bits gather in a 64-bit accumulator; whole 32-bit words go out.
        var accumulator: UInt64 = 0
        var filled = 0
        var offset = 0
        for index in 0..<count {
            accumulator |= UInt64(value(index)) &<< UInt64(filled)
            filled &+= width
            if filled >= 32 {
                out.storeBytes(
                    of: UInt32(truncatingIfNeeded: accumulator).littleEndian, toByteOffset: offset, as: UInt32.self)
                offset &+= 4
                accumulator &>>= 32
                filled &-= 32
            }
        }
        if filled > 0 {
            out.storeBytes(
                of: UInt32(truncatingIfNeeded: accumulator).littleEndian, toByteOffset: offset, as: UInt32.self)
        }
    }

    /// The values packed in `storage` from `offset` (whose bytes must be there, plus the slack).
    init(storage: OwnedBytes?, offset: Int, count: Int, width: Int, limit: UInt32) {
        self.count = count
        self.width = width
        self.storage = storage
        view = PackedView(
            base: storage.map { UnsafeRawPointer($0.pointer + offset) }, width: width, limit: UInt64(limit))
    }

    /// Number of bytes the packed values take.
    static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// The packed bytes.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: view.base, count: Self.byteCount(count: count, width: width))
    }

    /// The value at `index`.
    @inline(__always)
    subscript(index: Int) -> UInt32 { view[index] }
}

/// A packed column's values through a plain pointer and no reference, for hot loops, which
/// would otherwise retain and release the column's storage at every step. Valid only while the
/// column it came from is alive (`withExtendedLifetime`).
struct PackedView {
    let base: UnsafeRawPointer?
    private let width: Int
    private let mask: UInt64
    private let limit: UInt64

    init(base: UnsafeRawPointer?, width: Int, limit: UInt64) {
        self.base = base
        self.width = width
        mask = width == 0 ? 0 : (UInt64(1) << UInt64(width)) &- 1
        self.limit = limit
    }

    /// The value at `index`.
    @inline(__always)
    subscript(index: Int) -> UInt32 {
        guard let base else { return 0 }
        let bit = index &* width
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
        return UInt32(truncatingIfNeeded: Swift.min((word &>> UInt64(bit & 7)) & mask, limit))
    }
}
