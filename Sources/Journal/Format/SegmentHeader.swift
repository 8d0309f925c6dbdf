/// The header at the start of every segment file.
///
/// It names the format version, when the segment was created, the sequence number of its first
/// record, and the versions of the classifiers that produced its records (user-agent rules, GeoIP
/// database build, bot list…), so that any number can be traced back to what made it.
public struct SegmentHeader: Sendable, Hashable {
    /// `IMJOURNL`.
    static let magic: [UInt8] = Array("IMJOURNL".utf8)
    /// The format version this code writes and the newest it reads.
    public static let currentFormatVersion: UInt16 = 5
    /// The first format version whose segments may hold linked blocks (``BlockHeader/Codec/linked``).
    public static let linkedBlocksVersion: UInt16 = 2
    /// An upper bound on a header's size, so a corrupt length cannot make a reader allocate.
    static let maxSize = 64 << 10

    /// The segment's format version.
    public var formatVersion: UInt16
    /// When the segment was created, ms since epoch UTC.
    public var createdAt: Int64
    /// The sequence number of the segment's first record.
    public var firstSequence: UInt64
    /// Versions of the classifiers that made the records, as name → version.
    public var classifiers: [String: String]

    /// Creates a header.
    public init(
        formatVersion: UInt16 = SegmentHeader.currentFormatVersion, createdAt: Int64, firstSequence: UInt64,
        classifiers: [String: String]
    ) {
        self.formatVersion = formatVersion
        self.createdAt = createdAt
        self.firstSequence = firstSequence
        self.classifiers = classifiers
    }

    /// The header's bytes, its checksum last.
    func encoded() -> [UInt8] {
        var body = ByteWriter()
        let sorted = classifiers.sorted { $0.key < $1.key }
        body.append(varint: UInt64(sorted.count))
        for (key, value) in sorted {
            body.append(lengthPrefixed: key)
            body.append(lengthPrefixed: value)
        }
        var writer = ByteWriter(capacity: 36 + body.count)
        writer.append(contentsOf: SegmentHeader.magic)
        writer.append(littleEndian: formatVersion)
        writer.append(littleEndian: UInt16(0))  // reserved
        writer.append(littleEndian: UInt32(32 + body.count + 4))  // total header length
        writer.append(littleEndian: createdAt)
        writer.append(littleEndian: firstSequence)
        writer.append(contentsOf: body.bytes)
        writer.append(littleEndian: CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Why a segment header could not be read.
    enum Problem: Error {
        case notASegment
        case newerVersion(UInt16)
        case needMore(Int)
        case badChecksum
        case malformed
    }

    /// Parses a header from the start of a segment; returns the header and its length.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<(SegmentHeader, Int), Problem> {
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual(magic) else { return .failure(.notASegment) }
        guard bytes.count >= 32 else { return .failure(.needMore(32)) }
        var reader = ByteReader(bytes, position: 8)
        do {
            let version = try reader.read(UInt16.self)
            _ = try reader.read(UInt16.self)
            let length = Int(try reader.read(UInt32.self))
            guard version >= 1 else { return .failure(.malformed) }
            guard version <= currentFormatVersion else { return .failure(.newerVersion(version)) }
            guard length >= 36, length <= maxSize else { return .failure(.malformed) }
            guard bytes.count >= length else { return .failure(.needMore(length)) }
            let stored = bytes.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)
            guard
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<(length - 4)]))
                    == UInt32(littleEndian: stored)
            else { return .failure(.badChecksum) }
            let createdAt = try reader.read(Int64.self)
            let firstSequence = try reader.read(UInt64.self)
            let count = try reader.readCount(limit: 1024, "classifier count")
            var classifiers: [String: String] = [:]
            for _ in 0..<count {
                let key = try reader.readString(limit: 4096)
                classifiers[key] = try reader.readString(limit: 4096)
            }
            let header = SegmentHeader(
                formatVersion: version, createdAt: createdAt, firstSequence: firstSequence, classifiers: classifiers)
            return .success((header, length))
        } catch {
            return .failure(.malformed)
        }
    }
}
