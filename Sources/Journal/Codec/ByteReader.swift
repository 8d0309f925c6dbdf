/// A bounds-checked cursor over bytes. Every read that would run past the end throws, so corrupt
/// input becomes an error and never a crash.
public struct ByteReader {
    /// The bytes being read.
    public let buffer: UnsafeRawBufferPointer
    /// The offset of the next read.
    public private(set) var position: Int

    /// A reader of `buffer` starting at `position`.
    public init(_ buffer: UnsafeRawBufferPointer, position: Int = 0) {
        self.buffer = buffer
        self.position = position
    }

    /// Bytes left after ``position``.
    public var remaining: Int { buffer.count - position }

    /// A read ran past the end; `what` names the field being read.
    public struct OutOfBounds: Error {
        /// The field being read.
        public let what: String
        /// An out-of-bounds error for the field `what`.
        public init(what: String) { self.what = what }
    }

    /// Reads a little-endian fixed-width integer.
    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String = "value") throws -> T
    {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw OutOfBounds(what: what()) }
        let value = buffer.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: value)
    }

    /// Reads an unsigned LEB128 varint.
    public mutating func readVarint(_ what: @autoclosure () -> String = "varint") throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < buffer.count, shift < 64 else { throw OutOfBounds(what: what()) }
            let byte = buffer[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a zigzag-encoded signed varint.
    public mutating func readZigzag(_ what: @autoclosure () -> String = "varint") throws -> Int64 {
        let raw = try readVarint(what())
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads a varint that must fit in `limit` (a count or a length), so a corrupt value cannot
    /// make the caller allocate without bound.
    public mutating func readCount(limit: Int, _ what: @autoclosure () -> String) throws -> Int {
        let value = try readVarint(what())
        // A negative limit (an index into an empty dictionary) admits no value at all.
        guard limit >= 0, value <= UInt64(limit) else { throw OutOfBounds(what: what()) }
        return Int(value)
    }

    /// Reads `count` raw bytes (a view into the buffer).
    public mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String = "bytes") throws
        -> UnsafeRawBufferPointer
    {
        guard count >= 0, remaining >= count else { throw OutOfBounds(what: what()) }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)])
        position += count
        return slice
    }

    /// Reads a varint length and that many UTF-8 bytes, the length at most `limit`.
    public mutating func readString(limit: Int, _ what: @autoclosure () -> String = "string") throws -> String {
        let length = try readCount(limit: limit, what())
        let bytes = try readBytes(length, what())
        return String(decoding: bytes, as: UTF8.self)
    }
}
