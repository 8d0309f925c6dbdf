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
        let layout: BlockHeader.Layout
        let compressedHard: Bool

        /// The block starting at `firstSequence`.
        public func block(firstSequence: UInt64) -> Encoded {
            let header = BlockHeader(
                recordCount: UInt32(recordCount), firstSequence: firstSequence, minTimestamp: minTimestamp,
                maxTimestamp: maxTimestamp, sites: sites, uncompressedLength: UInt32(uncompressedLength),
                compressedLength: UInt32(compressed.count), payloadChecksum: CRC32C.checksum(compressed), codec: codec,
                layout: layout, compressedHard: compressedHard)
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
    static func encode(
        _ hits: some Collection<Hit>, firstSequence: UInt64, level: Int32, layout: BlockHeader.Layout
    ) throws -> Encoded {
        compress(try columns(hits, layout: layout), chain: nil, level: level).block(firstSequence: firstSequence)
    }

    /// Encodes and compresses `hits` (1 to ``maxRecords``), ready to become a block anywhere.
    public static func payload(_ hits: some Collection<Hit>) throws -> Payload {
        compress(try columns(hits), chain: nil)
    }

    /// A block's payload before compression.
    struct RawPayload {
        var bytes: [UInt8]
        var layout: BlockHeader.Layout
        var recordCount: Int
        var minTimestamp: Int64
        var maxTimestamp: Int64
        var sites: SiteFilter
    }

    /// Lays out `hits` (1 to ``maxRecords``) column by column, uncompressed.
    static func columns(_ hits: some Collection<Hit>, layout: BlockHeader.Layout = .newest) throws
        -> RawPayload
    {
        guard !hits.isEmpty, hits.count <= maxRecords else {
            throw JournalError(.invalidArgument, "a block holds 1 to \(maxRecords) records, not \(hits.count)")
        }
        let raw = encodePayload(hits, layout: layout)
        guard raw.bytes.count <= LZ4.maxInputSize else {
            throw JournalError(
                .invalidArgument, "a block's payload of \(raw.bytes.count) bytes exceeds \(LZ4.maxInputSize)",
                hint: "Append fewer or smaller records at once")
        }
        return raw
    }

    /// Compresses a laid-out payload: against `chain` when there is one and it holds earlier
    /// payloads (a linked block), otherwise on its own (with LZ4HC at `level` when given).
    static func compress(_ raw: RawPayload, chain: LZ4Chain?, level: Int32? = nil) -> Payload {
        let linked = chain?.isLinked == true
        var codec = BlockHeader.Codec.independent
        let compressed: [UInt8]
        var hard = false
        if let bytes = chain?.compress(raw.bytes) {
            compressed = bytes
            if linked { codec = .linked }
        } else {
            compressed = LZ4.compress(raw.bytes, level: level)
            hard = level != nil
        }
        return Payload(
            recordCount: raw.recordCount, compressed: compressed, uncompressedLength: raw.bytes.count,
            minTimestamp: raw.minTimestamp, maxTimestamp: raw.maxTimestamp, sites: raw.sites, codec: codec,
            layout: raw.layout, compressedHard: hard)
    }

    private static func encodePayload(_ hits: some Collection<Hit>, layout: BlockHeader.Layout) -> RawPayload {
        if let payload = hits.withContiguousStorageIfAvailable({ encodePayload($0, layout: layout) }) {
            return payload
        }
        return Array(hits).withUnsafeBufferPointer { encodePayload($0, layout: layout) }
    }

    /// Encodes column by column, reading fields in place (copying a whole `Hit` per record would
    /// retain and release its sixteen strings every time).
    private static func encodePayload(_ hits: UnsafeBufferPointer<Hit>, layout: BlockHeader.Layout) -> RawPayload {
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
        // Zigzag varints, or from layout 2 on zigzag values in Rice codes.
        var previous = minTimestamp
        if layout.riceCodedTimes {
            var gaps = [UInt64](repeating: 0, count: count)
            for i in 0..<count {
                let gap = hits[i].timestamp &- previous
                gaps[i] = UInt64(bitPattern: (gap &<< 1) ^ (gap &>> 63))
                previous = hits[i].timestamp
            }
            RiceCode.append(gaps, to: &out)
        } else {
            for i in 0..<count {
                out.append(zigzag: hits[i].timestamp &- previous)
                previous = hits[i].timestamp
            }
        }
        var sites = SiteFilter()
        var columns: [DictionaryBuilder<String>] = []
        columns.reserveCapacity(StringField.allCases.count)
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
            if count <= sortedDictionaryLimit { builder.sort(by: precedesInUTF8) }
            if field == .site { for site in builder.values { sites.insert(site) } }
            columns.append(builder)
        }
        switch layout {
        case .columns:
            for column in columns { appendColumn(column.values, column.indices, count: count, to: &out) }
            for value in [SmallColumn.channel, .device, .screen, .flags] {
                appendSmallColumn(hits, value, count: count, to: &out)
            }
            var visitors = DictionaryBuilder<UInt64>(capacity: count)
            for i in 0..<count { visitors.add(hits[i].visitorID) }
            out.append(varint: UInt64(visitors.values.count))
            for id in visitors.values { out.append(littleEndian: id) }
            BitPacking.pack(
                visitors.indices, count: count, width: BitPacking.width(forMax: UInt32(visitors.values.count - 1)),
                into: &out)
        case .visitorProfiles, .riceTimestamps, .profileReferences, .narrowVisitorIDs:
            for field in StringField.allCases where !StringField.profileFields.contains(field) {
                appendColumn(columns[field.rawValue].values, columns[field.rawValue].indices, count: count, to: &out)
            }
            appendSmallColumn(hits, .channel, count: count, to: &out)
            appendSmallColumn(hits, .flags, count: count, to: &out)
            appendProfiles(hits, columns: columns, count: count, layout: layout, to: &out)
        }

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
            bytes: out.bytes, layout: layout, recordCount: count, minTimestamp: minTimestamp,
            maxTimestamp: maxTimestamp, sites: sites)
    }

    /// A dictionary and the packed index of each of `count` records into it.
    private static func appendColumn(_ values: [String], _ indices: [UInt32], count: Int, to out: inout ByteWriter) {
        appendDictionary(values, to: &out)
        BitPacking.pack(indices, count: count, width: BitPacking.width(forMax: UInt32(values.count - 1)), into: &out)
    }

    private enum SmallColumn { case channel, device, screen, flags }

    private static func appendSmallColumn(
        _ hits: UnsafeBufferPointer<Hit>, _ which: SmallColumn, count: Int, to out: inout ByteWriter
    ) {
        let value: (Int) -> UInt32 =
            switch which {
            case .channel: { UInt32(hits[$0].channel.rawValue) }
            case .device: { UInt32(hits[$0].device.rawValue) }
            case .screen: { UInt32(hits[$0].screen.rawValue) }
            case .flags: { UInt32(hits[$0].flags.rawValue) }
            }
        // Read in place twice (for the width, then to pack) rather than copied into a column.
        var largest: UInt32 = 0
        for i in 0..<count { largest = max(largest, value(i)) }
        BitPacking.pack((0..<count).lazy.map(value), count: count, width: BitPacking.width(forMax: largest), into: &out)
    }

    /// What one visitor's records share: the id and everything derived from the address and the
    /// user agent (country, browser, system, device), and the screen class.
    private struct Profile: Hashable {
        var visitor: UInt64
        var strings: SIMD8<UInt32>
        var device: UInt8
        var screen: UInt8
    }

    /// The visitor-profile section: each distinct profile once, then a profile index per record.
    /// A visitor's records repeat these fields, so a block stores them once per visitor instead of
    /// once per record.
    private static func appendProfiles(
        _ hits: UnsafeBufferPointer<Hit>, columns: [DictionaryBuilder<String>], count: Int, layout: BlockHeader.Layout,
        to out: inout ByteWriter
    ) {
        let fields = StringField.profileFields.map(\.rawValue)
        var profiles = DictionaryBuilder<Profile>(capacity: count)
        for i in 0..<count {
            var strings = SIMD8<UInt32>()
            for (slot, field) in fields.enumerated() { strings[slot] = columns[field].indices[i] }
            profiles.add(
                Profile(
                    visitor: hits[i].visitorID, strings: strings, device: hits[i].device.rawValue,
                    screen: hits[i].screen.rawValue))
        }
        let distinct = profiles.values
        out.append(varint: UInt64(distinct.count))
        if layout.narrowsVisitorIDs {
            appendNarrowIDs(distinct.map(\.visitor), to: &out)
        } else {
            for profile in distinct { out.append(littleEndian: profile.visitor) }
        }
        for (slot, field) in fields.enumerated() {
            appendColumn(columns[field].values, distinct.map { $0.strings[slot] }, count: distinct.count, to: &out)
        }
        for values in [distinct.map { UInt32($0.device) }, distinct.map { UInt32($0.screen) }] {
            BitPacking.pack(
                values, count: distinct.count, width: BitPacking.width(forMax: values.max() ?? 0), into: &out)
        }
        if layout.referencesProfiles {
            appendReferences(profiles.indices, to: &out)
        } else {
            BitPacking.pack(
                profiles.indices, count: count, width: BitPacking.width(forMax: UInt32(distinct.count - 1)), into: &out)
        }
    }

    /// Visitor ids as a byte `W`, the fewest bytes that hold the largest (0 to 8), then `W` bytes of
    /// each, least significant first: ids are random in their ``Hit/visitorIDBits`` bits, so the
    /// two high bytes of 64 would be zero in every id and LZ4 does not remove them.
    private static func appendNarrowIDs(_ ids: [UInt64], to out: inout ByteWriter) {
        let width = (UInt64.bitWidth - (ids.max() ?? 0).leadingZeroBitCount + 7) / 8
        out.append(byte: UInt8(width))
        for id in ids {
            withUnsafeBytes(of: id.littleEndian) {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<width]))
            }
        }
    }

    /// Each record's profile, numbered in order of first appearance, as one bit per record (1: the
    /// next new profile) and, for the records whose profile appeared before, Rice codes of how far
    /// back from the newest profile so far it is (0: the newest). A visitor's records come close
    /// together, so the distances are small: about 6 bits a record where a packed index takes 12.
    private static func appendReferences(_ indices: [UInt32], to out: inout ByteWriter) {
        var bits = BitWriter(capacity: indices.count / 8 + 8)
        var distances: [UInt64] = []
        var newest: UInt32 = 0
        for (record, index) in indices.enumerated() {
            if record == 0 || index > newest {
                newest = index
                bits.append(1, count: 1)
            } else {
                bits.append(0, count: 1)
                distances.append(UInt64(newest - index))
            }
        }
        out.append(contentsOf: bits.finish())
        RiceCode.append(distances, to: &out)
    }

    /// Whether `a` sorts before `b` byte by byte in UTF-8 (a prefix first): what
    /// `a.utf8.lexicographicallyPrecedes(b.utf8)` answers, on the contiguous bytes, without going
    /// through the generic sequence comparison for every pair.
    static func precedesInUTF8(_ a: String, _ b: String) -> Bool {
        a.withBorrowedUTF8 { x in
            b.withBorrowedUTF8 { y in
                for i in 0..<min(x.count, y.count) where x[i] != y[i] { return x[i] < y[i] }
                return x.count < y.count
            }
        }
    }

    private static func appendDictionary(_ values: [String], to out: inout ByteWriter) {
        out.append(varint: UInt64(values.count))
        for value in values { out.append(lengthPrefixed: value) }
    }
}
