/// Encodes a batch of hits into one block: a columnar payload, LZ4-compressed, behind a header.
///
/// Payload layout (before compression; all integers little-endian, varints LEB128):
/// record count, timestamps as zigzag deltas, one dictionary column per ``StringField``, the
/// channel/device/screen/flag columns bit-packed, the visitor dictionary, then sparse props and
/// revenue. `Docs/journal-format.md` gives every byte.
public enum BlockEncoder {
    /// Blocks of at most this many records list each dictionary in byte order rather than in the
    /// order first seen: a small block's dictionaries then repeat the previous block's in long
    /// runs, which LZ4 turns into few, long matches when the block is linked.
    static let sortedDictionaryLimit = 1024

    /// The most records one block may hold.
    public static let maxRecords = 1 << 20

    /// An encoded block: its header and the compressed payload.
    public struct Encoded: Sendable {
        /// The block's header.
        public var header: BlockHeader
        /// The header's 64 bytes followed by the compressed payload, ready to write.
        public var bytes: [UInt8]
    }

    /// A block's compressed payload, which does not depend on where in the journal the block goes;
    /// ``block(firstSequence:)`` puts the header in front once the sequence number is known.
    public struct Payload: Sendable {
        /// Number of records.
        public let recordCount: Int
        let compressed: [UInt8]
        var compressedLength: Int { compressed.count }
        let uncompressedLength: Int
        let minTimestamp: Int64
        let maxTimestamp: Int64
        let sites: SiteFilter
        let codec: BlockHeader.Codec

        /// The block starting at `firstSequence`.
        public func block(firstSequence: UInt64) -> Encoded {
            let header = BlockHeader(
                recordCount: UInt32(recordCount), firstSequence: firstSequence, minTimestamp: minTimestamp,
                maxTimestamp: maxTimestamp, sites: sites, uncompressedLength: UInt32(uncompressedLength),
                compressedLength: UInt32(compressed.count), payloadChecksum: CRC32C.checksum(compressed), codec: codec)
            var bytes = header.encoded()
            bytes.reserveCapacity(BlockHeader.size + compressed.count)
            bytes.append(contentsOf: compressed)
            return Encoded(header: header, bytes: bytes)
        }
    }

    /// Encodes `hits` (1 to ``maxRecords``) as the block starting at `firstSequence`.
    public static func encode(_ hits: some Collection<Hit>, firstSequence: UInt64) throws -> Encoded {
        try payload(hits).block(firstSequence: firstSequence)
    }

    /// Encodes `hits` as the block starting at `firstSequence`, compressed with LZ4HC at `level`:
    /// for blocks written once and read many times (compaction of sealed segments).
    static func encode(_ hits: some Collection<Hit>, firstSequence: UInt64, level: Int32) throws -> Encoded {
        let raw = try columns(hits)
        return Payload(
            recordCount: raw.recordCount, compressed: LZ4.compress(raw.bytes, level: level),
            uncompressedLength: raw.bytes.count, minTimestamp: raw.minTimestamp, maxTimestamp: raw.maxTimestamp,
            sites: raw.sites, codec: .independent
        ).block(firstSequence: firstSequence)
    }

    /// Encodes and compresses `hits` (1 to ``maxRecords``), ready to become a block anywhere.
    public static func payload(_ hits: some Collection<Hit>) throws -> Payload {
        compress(try columns(hits), chain: nil)
    }

    /// A block's payload before compression.
    struct RawPayload {
        var bytes: [UInt8]
        var recordCount: Int
        var minTimestamp: Int64
        var maxTimestamp: Int64
        var sites: SiteFilter
    }

    /// Lays out `hits` (1 to ``maxRecords``) column by column, uncompressed.
    static func columns(_ hits: some Collection<Hit>) throws -> RawPayload {
        guard !hits.isEmpty, hits.count <= maxRecords else {
            throw JournalError(.invalidArgument, "a block holds 1 to \(maxRecords) records, not \(hits.count)")
        }
        let raw = encodePayload(hits)
        guard raw.bytes.count <= LZ4.maxInputSize else {
            throw JournalError(
                .invalidArgument, "a block's payload of \(raw.bytes.count) bytes exceeds \(LZ4.maxInputSize)",
                hint: "Append fewer or smaller records at once")
        }
        return raw
    }

    /// Compresses a laid-out payload: against `chain` when there is one and it holds earlier
    /// payloads (a linked block), otherwise on its own.
    static func compress(_ raw: RawPayload, chain: LZ4Chain?) -> Payload {
        var codec = BlockHeader.Codec.independent
        let compressed: [UInt8]
        if let chain {
            let linked = chain.isLinked
            if let bytes = chain.compress(raw.bytes) {
                compressed = bytes
                if linked { codec = .linked }
            } else {
                compressed = LZ4.compress(raw.bytes)
            }
        } else {
            compressed = LZ4.compress(raw.bytes)
        }
        return Payload(
            recordCount: raw.recordCount, compressed: compressed, uncompressedLength: raw.bytes.count,
            minTimestamp: raw.minTimestamp, maxTimestamp: raw.maxTimestamp, sites: raw.sites, codec: codec)
    }

    private static func encodePayload(_ hits: some Collection<Hit>) -> RawPayload {
        if let payload = hits.withContiguousStorageIfAvailable({ encodePayload($0) }) { return payload }
        return Array(hits).withUnsafeBufferPointer { encodePayload($0) }
    }

    /// Encodes column by column, reading fields in place (copying a whole `Hit` per record would
    /// retain and release its sixteen strings every time).
    private static func encodePayload(_ hits: UnsafeBufferPointer<Hit>) -> RawPayload {
        let count = hits.count
        var minTimestamp = Int64.max
        var maxTimestamp = Int64.min
        for i in 0..<count {
            minTimestamp = min(minTimestamp, hits[i].timestamp)
            maxTimestamp = max(maxTimestamp, hits[i].timestamp)
        }
        var out = ByteWriter(capacity: count * 24)
        out.append(varint: UInt64(count))
        // Each timestamp relative to its predecessor; the first relative to the header's minimum.
        var previous = minTimestamp
        for i in 0..<count {
            out.append(zigzag: hits[i].timestamp &- previous)
            previous = hits[i].timestamp
        }
        var sites = SiteFilter()
        for field in StringField.allCases {
            var builder = DictionaryBuilder<String>(capacity: count)
            switch field {
            case .site: for i in 0..<count { builder.add(hits[i].site) }
            case .name: for i in 0..<count { builder.add(hits[i].name) }
            case .hostname: for i in 0..<count { builder.add(hits[i].hostname) }
            case .pathname: for i in 0..<count { builder.add(hits[i].pathname) }
            case .referrer: for i in 0..<count { builder.add(hits[i].referrer) }
            case .source: for i in 0..<count { builder.add(hits[i].source) }
            case .utmSource: for i in 0..<count { builder.add(hits[i].utm.source) }
            case .utmMedium: for i in 0..<count { builder.add(hits[i].utm.medium) }
            case .utmCampaign: for i in 0..<count { builder.add(hits[i].utm.campaign) }
            case .utmContent: for i in 0..<count { builder.add(hits[i].utm.content) }
            case .utmTerm: for i in 0..<count { builder.add(hits[i].utm.term) }
            case .country: for i in 0..<count { builder.add(hits[i].country) }
            case .browser: for i in 0..<count { builder.add(hits[i].browser) }
            case .browserVersion: for i in 0..<count { builder.add(hits[i].browserVersion) }
            case .os: for i in 0..<count { builder.add(hits[i].os) }
            case .osVersion: for i in 0..<count { builder.add(hits[i].osVersion) }
            }
            if count <= sortedDictionaryLimit { builder.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
            if field == .site { for site in builder.values { sites.insert(site) } }
            appendDictionary(builder.values, to: &out)
            BitPacking.pack(
                builder.indices, count: count, width: BitPacking.width(forMax: UInt32(builder.values.count - 1)),
                into: &out)
        }
        let small: [(Int) -> UInt8] = [
            { hits[$0].channel.rawValue }, { hits[$0].device.rawValue }, { hits[$0].screen.rawValue },
            { hits[$0].flags.rawValue },
        ]
        for value in small {
            let column = (0..<count).map { UInt32(value($0)) }
            BitPacking.pack(column, count: count, width: BitPacking.width(forMax: column.max() ?? 0), into: &out)
        }
        var visitors = DictionaryBuilder<UInt64>(capacity: count)
        for i in 0..<count { visitors.add(hits[i].visitorID) }
        out.append(varint: UInt64(visitors.values.count))
        for id in visitors.values { out.append(littleEndian: id) }
        BitPacking.pack(
            visitors.indices, count: count, width: BitPacking.width(forMax: UInt32(visitors.values.count - 1)),
            into: &out)

        var propKeys = DictionaryBuilder<String>(capacity: 0)
        var propValues = DictionaryBuilder<String>(capacity: 0)
        var props = ByteWriter()
        var propRecords = 0
        var lastPropRecord = 0
        var currencies = DictionaryBuilder<String>(capacity: 0)
        var revenue = ByteWriter()
        var revenueRecords = 0
        var lastRevenueRecord = 0
        for record in 0..<count {
            if !hits[record].props.isEmpty {
                props.append(varint: UInt64(record - lastPropRecord))
                lastPropRecord = record
                props.append(varint: UInt64(hits[record].props.count))
                for property in hits[record].props {
                    props.append(varint: UInt64(propKeys.intern(property.key)))
                    props.append(varint: UInt64(propValues.intern(property.value)))
                }
                propRecords += 1
            }
            if let amount = hits[record].revenue {
                revenue.append(varint: UInt64(record - lastRevenueRecord))
                lastRevenueRecord = record
                revenue.append(zigzag: amount.amount)
                revenue.append(varint: UInt64(currencies.intern(amount.currency)))
                revenueRecords += 1
            }
        }
        appendDictionary(propKeys.values, to: &out)
        appendDictionary(propValues.values, to: &out)
        out.append(varint: UInt64(propRecords))
        out.append(contentsOf: props.bytes)
        appendDictionary(currencies.values, to: &out)
        out.append(varint: UInt64(revenueRecords))
        out.append(contentsOf: revenue.bytes)
        return RawPayload(
            bytes: out.bytes, recordCount: count, minTimestamp: minTimestamp, maxTimestamp: maxTimestamp, sites: sites)
    }

    private static func appendDictionary(_ values: [String], to out: inout ByteWriter) {
        out.append(varint: UInt64(values.count))
        for value in values { out.append(lengthPrefixed: value) }
    }
}
