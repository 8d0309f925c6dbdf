/// The fixed 64-byte header in front of every block of a segment.
///
/// The layout is little-endian and is written down byte for byte in `Docs/journal-format.md`.
/// A reader can decide from the header alone whether to read a block's payload: the sequence
/// range, the time range and the ``SiteFilter`` are all here.
public struct BlockHeader: Sendable, Hashable {
    /// The header's size on disk.
    public static let size = 64
    /// `IMBK` read as a little-endian `UInt32`.
    static let magic: UInt32 = 0x4B42_4D49
    /// How a block's payload is compressed.
    public enum Codec: UInt8, Sendable, Hashable {
        /// Columnar records, one LZ4 block on its own.
        case independent = 1
        /// Columnar records, one LZ4 block compressed against the payloads of the blocks before it
        /// in its chain (format version 2; see `Docs/journal-format.md`).
        case linked = 2
    }

    /// How a block's payload lays out its records (`Docs/journal-format.md`).
    public enum Layout: UInt8, Sendable, Hashable {
        /// Every column has a value per record (format version 1).
        case columns = 0
        /// The fields a visitor's records share are stored once per visitor profile, and each
        /// record has a profile index (format version 2).
        case visitorProfiles = 1
        /// As ``visitorProfiles``, with the timestamps' gaps in Rice codes (format version 3).
        case riceTimestamps = 2
        /// As ``riceTimestamps``, with each record's profile given as "the next new one" or as a
        /// Rice-coded distance back from the newest (format version 4).
        case profileReferences = 3
        /// As ``profileReferences``, with the profiles' visitor ids in as few bytes as the block's
        /// largest needs (six for ids of ``Hit/visitorIDBits``; format version 5).
        case narrowVisitorIDs = 4

        /// The first segment format version that may hold blocks of this layout.
        public var firstFormatVersion: UInt16 {
            switch self {
            case .columns: 1
            case .visitorProfiles: 2
            case .riceTimestamps: 3
            case .profileReferences: 4
            case .narrowVisitorIDs: 5
            }
        }

        /// Whether each record's profile is a reference (else a packed index).
        var referencesProfiles: Bool { rawValue >= Layout.profileReferences.rawValue }

        /// Whether the profiles' visitor ids are stored in a width of their own (else 8 bytes each).
        var narrowsVisitorIDs: Bool { rawValue >= Layout.narrowVisitorIDs.rawValue }

        /// Whether the timestamps' gaps are in Rice codes (else zigzag varints).
        var riceCodedTimes: Bool { rawValue >= Layout.riceTimestamps.rawValue }

        /// The layout this build writes into new segments.
        public static let newest = newest(forFormatVersion: SegmentHeader.currentFormatVersion)

        /// The newest layout a segment of `formatVersion` may hold: what a writer uses there.
        public static func newest(forFormatVersion formatVersion: UInt16) -> Layout {
            switch formatVersion {
            case ...1: .columns
            case 2: .visitorProfiles
            case 3: .riceTimestamps
            case 4: .profileReferences
            default: .narrowVisitorIDs
            }
        }
    }

    /// Number of records in the block (at least 1).
    public var recordCount: UInt32
    /// Sequence number of the block's first record; the others follow without gaps.
    public var firstSequence: UInt64
    /// Smallest record timestamp, ms since epoch UTC.
    public var minTimestamp: Int64
    /// Largest record timestamp, ms since epoch UTC.
    public var maxTimestamp: Int64
    /// A 64-bit filter of the sites present, for skipping blocks of other sites.
    public var sites: SiteFilter
    /// Length of the payload before compression.
    public var uncompressedLength: UInt32
    /// Length of the payload on disk.
    public var compressedLength: UInt32
    /// CRC-32C of the compressed payload.
    public var payloadChecksum: UInt32
    /// How the payload is compressed.
    public var codec: Codec
    /// How the payload lays out its records.
    public var layout: Layout
    /// Whether the payload was compressed with LZ4HC (compaction does): a hint for the compactor,
    /// which rewrites a sealed segment until all its blocks are; decoding does not depend on it.
    public var compressedHard: Bool

    /// Sequence number one past the block's last record.
    public var endSequence: UInt64 { firstSequence + UInt64(recordCount) }
    /// Bytes the block takes on disk, header included.
    public var totalLength: Int { BlockHeader.size + Int(compressedLength) }

    /// Creates a header.
    public init(
        recordCount: UInt32, firstSequence: UInt64, minTimestamp: Int64, maxTimestamp: Int64, sites: SiteFilter,
        uncompressedLength: UInt32, compressedLength: UInt32, payloadChecksum: UInt32, codec: Codec = .independent,
        layout: Layout = .columns, compressedHard: Bool = false
    ) {
        self.recordCount = recordCount
        self.firstSequence = firstSequence
        self.minTimestamp = minTimestamp
        self.maxTimestamp = maxTimestamp
        self.sites = sites
        self.uncompressedLength = uncompressedLength
        self.compressedLength = compressedLength
        self.payloadChecksum = payloadChecksum
        self.codec = codec
        self.layout = layout
        self.compressedHard = compressedHard
    }

    /// The 64 bytes of the header, its own checksum last.
    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: BlockHeader.size)
        writer.append(littleEndian: BlockHeader.magic)
        writer.append(littleEndian: UInt16(1))  // header version
        writer.append(byte: codec.rawValue)
        writer.append(byte: layout.rawValue)
        writer.append(littleEndian: recordCount)
        writer.append(littleEndian: UInt32(compressedHard ? 1 : 0))  // flags
        writer.append(littleEndian: firstSequence)
        writer.append(littleEndian: minTimestamp)
        writer.append(littleEndian: maxTimestamp)
        writer.append(littleEndian: sites.bits)
        writer.append(littleEndian: uncompressedLength)
        writer.append(littleEndian: compressedLength)
        writer.append(littleEndian: payloadChecksum)
        let checksum = CRC32C.checksum(writer.bytes)
        writer.append(littleEndian: checksum)
        return writer.bytes
    }

    /// Why a header could not be read.
    enum Problem: Error, Equatable {
        case badMagic
        case badChecksum
        case unsupported(String)
        case implausible(String)
    }

    /// Parses and checks a header; the checks are the header checksum, the magic, the versions and
    /// that the lengths are plausible.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<BlockHeader, Problem> {
        guard bytes.count >= size else { return .failure(.implausible("short header")) }
        func load<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        guard load(0, UInt32.self) == magic else { return .failure(.badMagic) }
        let stored = load(60, UInt32.self)
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<60])) == stored else {
            return .failure(.badChecksum)
        }
        let version = load(4, UInt16.self)
        guard version == 1 else { return .failure(.unsupported("block header version \(version)")) }
        guard let codec = Codec(rawValue: bytes[6]) else { return .failure(.unsupported("payload codec \(bytes[6])")) }
        guard let layout = Layout(rawValue: bytes[7]) else {
            return .failure(.unsupported("payload layout \(bytes[7])"))
        }
        let header = BlockHeader(
            recordCount: load(8, UInt32.self), firstSequence: load(16, UInt64.self),
            minTimestamp: load(24, Int64.self), maxTimestamp: load(32, Int64.self),
            sites: SiteFilter(bits: load(40, UInt64.self)), uncompressedLength: load(48, UInt32.self),
            compressedLength: load(52, UInt32.self), payloadChecksum: load(56, UInt32.self), codec: codec,
            layout: layout, compressedHard: load(12, UInt32.self) & 1 == 1)
        guard header.recordCount > 0 else { return .failure(.implausible("block with no records")) }
        guard header.minTimestamp <= header.maxTimestamp else { return .failure(.implausible("time range reversed")) }
        guard Int(header.uncompressedLength) <= LZ4.maxInputSize else {
            return .failure(.implausible("payload of \(header.uncompressedLength) bytes"))
        }
        return .success(header)
    }
}
