import Journal

/// The binary form of a ``DayFile``: a header, a table of sections, then the sections.
///
/// Header (20 bytes): magic `IMROLLUP`, format version (u16), reserved (u16), section count (u32),
/// CRC-32C of the section table (u32). Each table entry (16 bytes): section id (u16), codec (u8:
/// 0 stored, 1 LZ4 block), reserved (u8), stored length (u32), length before compression (u32),
/// CRC-32C of the stored bytes (u32). Sections follow the table back to back, in table order, so
/// a reader reads the header and the table and then only the sections a question needs. Layout of
/// each section: `Docs/projections.md`.
public enum RollupCodec {
    /// The format version this build writes and reads.
    public static let formatVersion: UInt16 = 6
    static let magic: [UInt8] = Array("IMROLLUP".utf8)
    static let headerSize = 20
    static let entrySize = 16
    static let maxSection = 1 << 30

    /// Encodes a day file.
    public static func encode(_ file: DayFile) -> [UInt8] {
        encode(sections: sections(of: file))
    }

    /// A day file's sections by id, in file order, before compression.
    static func sections(of file: DayFile) -> [(UInt16, [UInt8])] {
        var sections: [(UInt16, [UInt8])] = [(DaySection.meta, encodeMeta(file.rollup))]
        let table = file.visits
        for space in KeySpace.allCases {
            var writer = ByteWriter(capacity: 256)
            let strings = table.keys[space.rawValue]
            writer.append(varint: UInt64(strings.count))
            for string in strings { writer.append(lengthPrefixed: string) }
            sections.append((DaySection.keys(space), writer.bytes))
        }
        for dimension in Dimension.allCases {
            sections.append((DaySection.cells(dimension), encodeCells(file.rollup[dimension])))
        }
        for (column, bytes) in VisitTableCodec.encode(table) { sections.append((DaySection.column(column), bytes)) }
        return sections
    }

    /// A day file of `sections`, each compressed where that pays and checksummed.
    static func encode(sections: [(UInt16, [UInt8])]) -> [UInt8] {
        var body = ByteWriter(capacity: 1 << 16)
        var entries = ByteWriter(capacity: sections.count * entrySize)
        for (id, raw) in sections {
            // Compress where it pays; tiny or incompressible sections are stored as they are.
            let compressed = raw.count >= 64 ? LZ4.compress(raw) : raw
            let useLZ4 = raw.count >= 64 && compressed.count < raw.count - raw.count / 16
            let stored = useLZ4 ? compressed : raw
            entries.append(littleEndian: id)
            entries.append(byte: useLZ4 ? 1 : 0)
            entries.append(byte: 0)
            entries.append(littleEndian: UInt32(stored.count))
            entries.append(littleEndian: UInt32(raw.count))
            entries.append(littleEndian: CRC32C.checksum(stored))
            body.append(contentsOf: stored)
        }
        var file = ByteWriter(capacity: headerSize + entries.count + body.count)
        file.append(contentsOf: magic)
        file.append(littleEndian: formatVersion)
        file.append(littleEndian: UInt16(0))
        file.append(littleEndian: UInt32(sections.count))
        file.append(littleEndian: CRC32C.checksum(entries.bytes))
        file.append(contentsOf: entries.bytes)
        file.append(contentsOf: body.bytes)
        return file.bytes
    }

    private static func encodeMeta(_ rollup: DayRollup) -> [UInt8] {
        var writer = ByteWriter(capacity: 512)
        writer.append(lengthPrefixed: rollup.site)
        writer.append(zigzag: rollup.day)
        writer.append(varint: rollup.position)
        writer.append(varint: UInt64(rollup.records))
        for cell in rollup.totals { write(cell, to: &writer) }
        return writer.bytes
    }

    /// Whole-day rows only: a stored rollup has no hourly rows for dimensions.
    private static func encodeCells(_ table: DimensionTable) -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + table.rows.count * 12)
        let rows = table.rows.filter { Int($0.hour) == DayRollup.wholeDay }
        precondition(rows.count == table.rows.count, "a stored rollup has whole-day rows only")
        writer.append(varint: UInt64(rows.count))
        var previous: UInt32 = 0
        for row in rows {
            writer.append(varint: UInt64(row.key - previous))
            previous = row.key
            write(row.metrics, to: &writer)
        }
        return writer.bytes
    }

    static func write(_ metrics: Metrics, to writer: inout ByteWriter) {
        writer.append(varint: UInt64(metrics.visitors))
        writer.append(varint: UInt64(metrics.visits))
        writer.append(varint: UInt64(metrics.pageviews))
        writer.append(varint: UInt64(metrics.events))
        writer.append(varint: UInt64(metrics.bounces))
        writer.append(zigzag: metrics.duration)
        writer.append(zigzag: metrics.revenue)
        writer.append(varint: UInt64(metrics.engagements))
        writer.append(varint: UInt64(metrics.engagedSeconds))
        writer.append(varint: UInt64(metrics.scrollDepth))
    }

    static func read(_ reader: inout ByteReader) throws -> Metrics {
        var metrics = Metrics(
            visitors: Int64(bitPattern: try reader.readVarint()), visits: Int64(bitPattern: try reader.readVarint()),
            pageviews: Int64(bitPattern: try reader.readVarint()), events: Int64(bitPattern: try reader.readVarint()),
            bounces: Int64(bitPattern: try reader.readVarint()), duration: try reader.readZigzag(),
            revenue: try reader.readZigzag())
        metrics.engagements = Int64(bitPattern: try reader.readVarint())
        metrics.engagedSeconds = Int64(bitPattern: try reader.readVarint())
        metrics.scrollDepth = Int64(bitPattern: try reader.readVarint())
        return metrics
    }

    /// Decodes a whole day file from its bytes (for tests and tools; queries use ``DayFileReader``).
    public static func decode(_ bytes: [UInt8], path: String) throws -> DayFile {
        let reader = try DayFileReader(bytes: bytes, path: path)
        return DayFile(rollup: try reader.rollup(), visits: try reader.visits(.all))
    }
}
