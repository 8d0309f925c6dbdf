import Journal

/// The binary form of a ``DayRollup`` file.
///
/// A 24-byte header — magic `IMROLLUP`, format version (u16), reserved (u16), body length before
/// compression (u32), compressed length (u32), CRC-32C of the compressed body (u32) — then the
/// LZ4-compressed body of varints: site, day, journal position, record count, the 25 total
/// cells, then for each dimension its sorted keys and its rows (key delta, hour, seven metrics).
/// Layout details: `Docs/projections.md`.
public enum RollupCodec {
    /// The format version this build writes and reads.
    public static let formatVersion: UInt16 = 2
    static let magic: [UInt8] = Array("IMROLLUP".utf8)
    static let headerSize = 24
    static let maxBody = 1 << 30

    /// Encodes a rollup.
    public static func encode(_ rollup: DayRollup) -> [UInt8] {
        var body = ByteWriter(capacity: 1 << 16)
        body.append(lengthPrefixed: rollup.site)
        body.append(zigzag: rollup.day)
        body.append(varint: rollup.position)
        body.append(varint: UInt64(rollup.records))
        for cell in rollup.totals { write(cell, to: &body) }
        body.append(varint: UInt64(rollup.tables.count))
        for table in rollup.tables {
            // Each table is preceded by its length, so a reader can skip the tables it does not need.
            var section = ByteWriter(capacity: 1024)
            section.append(varint: UInt64(table.keys.count))
            for key in table.keys { section.append(lengthPrefixed: key) }
            section.append(varint: UInt64(table.rows.count))
            var previous: UInt32 = 0
            for row in table.rows {
                section.append(varint: UInt64(row.key - previous))
                previous = row.key
                section.append(byte: row.hour)
                write(row.metrics, to: &section)
            }
            body.append(littleEndian: UInt32(section.count))
            body.append(contentsOf: section.bytes)
        }
        let compressed = LZ4.compress(body.bytes)
        var file = ByteWriter(capacity: headerSize + compressed.count)
        file.append(contentsOf: magic)
        file.append(littleEndian: formatVersion)
        file.append(littleEndian: UInt16(0))
        file.append(littleEndian: UInt32(body.count))
        file.append(littleEndian: UInt32(compressed.count))
        file.append(littleEndian: CRC32C.checksum(compressed))
        file.append(contentsOf: compressed)
        return file.bytes
    }

    /// Decodes a rollup file's bytes; `path` names the file in errors. With `only`, the tables of
    /// other dimensions are skipped and left empty (the totals are always read).
    public static func decode(_ bytes: [UInt8], path: String, only: Set<Dimension>? = nil) throws -> DayRollup {
        func corrupt(_ what: String, _ offset: Int64? = nil) -> ProjectionError {
            ProjectionError(
                .corrupt, "rollup file is damaged: \(what)", file: path, offset: offset,
                hint: "Run `infinity rebuild` to recompute the rollups from the journal")
        }
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
            throw corrupt("not a rollup file (wrong magic bytes or too short)", 0)
        }
        return try bytes.withUnsafeBytes { raw in
            var header = ByteReader(raw, position: 8)
            let version = try header.read(UInt16.self)
            guard version == formatVersion else {
                throw ProjectionError(
                    .staleFormat, "rollup file has format version \(version); this build uses \(formatVersion)",
                    file: path, offset: 8, hint: "Run `infinity rebuild` to recompute the rollups in the current format"
                )
            }
            _ = try header.read(UInt16.self)
            let bodyLength = Int(try header.read(UInt32.self))
            let compressedLength = Int(try header.read(UInt32.self))
            let checksum = try header.read(UInt32.self)
            guard compressedLength == bytes.count - headerSize, bodyLength <= maxBody else {
                throw corrupt("its length does not match its header (cut off?)", 16)
            }
            let compressed = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
            guard CRC32C.checksum(compressed) == checksum else { throw corrupt("checksum mismatch", 24) }
            var body = [UInt8](repeating: 0, count: bodyLength)
            let ok = body.withUnsafeMutableBytes {
                LZ4.decompress(compressed, into: $0, outputSize: bodyLength)
            }
            guard ok else { throw corrupt("the compressed body does not decompress", 24) }
            do {
                return try body.withUnsafeBytes { try decodeBody($0, only: only) }
            } catch is ByteReader.OutOfBounds {
                throw corrupt("the body ends too early", 24)
            }
        }
    }

    private static func decodeBody(_ raw: UnsafeRawBufferPointer, only: Set<Dimension>?) throws -> DayRollup {
        var reader = ByteReader(raw)
        let limit = raw.count
        let site = try reader.readString(limit: 1 << 16)
        let day = try reader.readZigzag()
        let position = try reader.readVarint()
        var rollup = DayRollup(site: site, day: day, position: position)
        rollup.records = Int64(try reader.readVarint())
        for hour in 0..<rollup.totals.count { rollup.totals[hour] = try read(&reader) }
        let tables = try reader.readCount(limit: 256, "table count")
        guard tables == Dimension.allCases.count else { throw ByteReader.OutOfBounds(what: "table count") }
        for index in 0..<tables {
            let length = Int(try reader.read(UInt32.self))
            if let only, !only.contains(Dimension.allCases[index]) {
                _ = try reader.readBytes(length, "table")
                continue
            }
            var table = DimensionTable()
            let keys = try reader.readCount(limit: limit, "key count")
            table.keys.reserveCapacity(keys)
            for _ in 0..<keys { table.keys.append(try reader.readString(limit: limit)) }
            let rows = try reader.readCount(limit: limit, "row count")
            table.rows.reserveCapacity(rows)
            var key: UInt32 = 0
            for _ in 0..<rows {
                key += UInt32(truncatingIfNeeded: try reader.readVarint())
                let hour = try reader.read(UInt8.self)
                guard Int(key) < keys, hour <= UInt8(DayRollup.wholeDay) else {
                    throw ByteReader.OutOfBounds(what: "row")
                }
                table.rows.append(DimensionTable.Row(key: key, hour: hour, metrics: try read(&reader)))
            }
            rollup.tables[index] = table
        }
        return rollup
    }

    private static func write(_ metrics: Metrics, to writer: inout ByteWriter) {
        writer.append(varint: UInt64(metrics.visitors))
        writer.append(varint: UInt64(metrics.visits))
        writer.append(varint: UInt64(metrics.pageviews))
        writer.append(varint: UInt64(metrics.events))
        writer.append(varint: UInt64(metrics.bounces))
        writer.append(zigzag: metrics.duration)
        writer.append(zigzag: metrics.revenue)
    }

    private static func read(_ reader: inout ByteReader) throws -> Metrics {
        Metrics(
            visitors: Int64(bitPattern: try reader.readVarint()), visits: Int64(bitPattern: try reader.readVarint()),
            pageviews: Int64(bitPattern: try reader.readVarint()), events: Int64(bitPattern: try reader.readVarint()),
            bounces: Int64(bitPattern: try reader.readVarint()), duration: try reader.readZigzag(),
            revenue: try reader.readZigzag())
    }
}
