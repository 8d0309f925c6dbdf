/// Encodes a batch of hits into one block: a columnar payload, LZ4-compressed, behind a header.
///
/// Payload layout (before compression; all integers little-endian, varints LEB128):
/// record count, timestamps as zigzag deltas, one dictionary column per ``StringField``, the
/// channel/device/screen/flag columns bit-packed, the visitor dictionary, then sparse props and
/// revenue. `Docs/journal-format.md` gives every byte.
public enum BlockEncoder {
    /// The most records one block may hold.
    public static let maxRecords = 1 << 20

    /// An encoded block: its header and the compressed payload.
    public struct Encoded: Sendable {
        /// The block's header.
        public var header: BlockHeader
        /// The header's 64 bytes followed by the compressed payload, ready to write.
        public var bytes: [UInt8]
    }

    /// Encodes `hits` (1 to ``maxRecords``) as the block starting at `firstSequence`.
    public static func encode(_ hits: some Collection<Hit>, firstSequence: UInt64) throws -> Encoded {
        guard !hits.isEmpty, hits.count <= maxRecords else {
            throw JournalError(.invalidArgument, "a block holds 1 to \(maxRecords) records, not \(hits.count)")
        }
        let payload = encodePayload(hits)
        guard payload.bytes.count <= LZ4.maxInputSize else {
            throw JournalError(
                .invalidArgument, "a block's payload of \(payload.bytes.count) bytes exceeds \(LZ4.maxInputSize)",
                hint: "Append fewer or smaller records at once")
        }
        let compressed = LZ4.compress(payload.bytes)
        let header = BlockHeader(
            recordCount: UInt32(hits.count), firstSequence: firstSequence, minTimestamp: payload.minTimestamp,
            maxTimestamp: payload.maxTimestamp, sites: payload.sites, uncompressedLength: UInt32(payload.bytes.count),
            compressedLength: UInt32(compressed.count), payloadChecksum: CRC32C.checksum(compressed))
        var bytes = header.encoded()
        bytes.reserveCapacity(BlockHeader.size + compressed.count)
        bytes.append(contentsOf: compressed)
        return Encoded(header: header, bytes: bytes)
    }

    private struct Payload {
        var bytes: [UInt8]
        var minTimestamp: Int64
        var maxTimestamp: Int64
        var sites: SiteFilter
    }

    private static func encodePayload(_ hits: some Collection<Hit>) -> Payload {
        let count = hits.count
        var strings = StringField.allCases.map { _ in DictionaryBuilder<String>(capacity: count) }
        var visitors = DictionaryBuilder<UInt64>(capacity: count)
        var small = [[UInt32]](repeating: [], count: 4)  // channel, device, screen, flags
        for i in small.indices { small[i].reserveCapacity(count) }
        var propKeys = DictionaryBuilder<String>(capacity: 0)
        var propValues = DictionaryBuilder<String>(capacity: 0)
        var currencies = DictionaryBuilder<String>(capacity: 0)
        var props = ByteWriter()
        var propRecords = 0
        var revenue = ByteWriter()
        var revenueRecords = 0
        var lastPropRecord = 0
        var lastRevenueRecord = 0
        var minTimestamp = Int64.max
        var maxTimestamp = Int64.min
        for hit in hits {
            minTimestamp = min(minTimestamp, hit.timestamp)
            maxTimestamp = max(maxTimestamp, hit.timestamp)
        }
        // Each timestamp is written relative to its predecessor; the first relative to the header's minimum.
        var timestamps = ByteWriter(capacity: count * 2)
        var previous = minTimestamp
        for (record, hit) in hits.enumerated() {
            timestamps.append(zigzag: hit.timestamp &- previous)
            previous = hit.timestamp
            for field in StringField.allCases { strings[field.rawValue].add(hit[field]) }
            visitors.add(hit.visitorID)
            small[0].append(UInt32(hit.channel.rawValue))
            small[1].append(UInt32(hit.device.rawValue))
            small[2].append(UInt32(hit.screen.rawValue))
            small[3].append(UInt32(hit.flags.rawValue))
            if !hit.props.isEmpty {
                props.append(varint: UInt64(record - lastPropRecord))
                lastPropRecord = record
                props.append(varint: UInt64(hit.props.count))
                for property in hit.props {
                    props.append(varint: UInt64(propKeys.intern(property.key)))
                    props.append(varint: UInt64(propValues.intern(property.value)))
                }
                propRecords += 1
            }
            if let amount = hit.revenue {
                revenue.append(varint: UInt64(record - lastRevenueRecord))
                lastRevenueRecord = record
                revenue.append(zigzag: amount.amount)
                revenue.append(varint: UInt64(currencies.intern(amount.currency)))
                revenueRecords += 1
            }
        }

        var out = ByteWriter(capacity: count * 24)
        out.append(varint: UInt64(count))
        out.append(contentsOf: timestamps.bytes)
        for builder in strings {
            appendDictionary(builder.values, to: &out)
            BitPacking.pack(
                builder.indices, count: count, width: BitPacking.width(forMax: UInt32(builder.values.count - 1)),
                into: &out)
        }
        for column in small {
            BitPacking.pack(column, count: count, width: BitPacking.width(forMax: column.max() ?? 0), into: &out)
        }
        out.append(varint: UInt64(visitors.values.count))
        for id in visitors.values { out.append(littleEndian: id) }
        BitPacking.pack(
            visitors.indices, count: count, width: BitPacking.width(forMax: UInt32(visitors.values.count - 1)),
            into: &out)
        appendDictionary(propKeys.values, to: &out)
        appendDictionary(propValues.values, to: &out)
        out.append(varint: UInt64(propRecords))
        out.append(contentsOf: props.bytes)
        appendDictionary(currencies.values, to: &out)
        out.append(varint: UInt64(revenueRecords))
        out.append(contentsOf: revenue.bytes)

        var sites = SiteFilter()
        for site in strings[StringField.site.rawValue].values { sites.insert(site) }
        return Payload(bytes: out.bytes, minTimestamp: minTimestamp, maxTimestamp: maxTimestamp, sites: sites)
    }

    private static func appendDictionary(_ values: [String], to out: inout ByteWriter) {
        out.append(varint: UInt64(values.count))
        for value in values { out.append(lengthPrefixed: value) }
    }
}
