import Journal

/// The file one import's rows are kept in (`imports/ID.rows`): a magic, the rows, and a CRC32C
/// of everything before it, so that a damaged file is found instead of read as other numbers.
enum ImportCodec {
    static let magic: [UInt8] = Array("INFIMP01".utf8)

    static func encode(_ rows: [ImportedRow]) -> [UInt8] {
        var out = ByteWriter(capacity: 16 + rows.count * 32)
        out.append(contentsOf: magic)
        out.append(varint: UInt64(rows.count))
        for row in rows {
            out.append(byte: row.table.rawValue)
            out.append(zigzag: row.day)
            for label in row.labels { out.append(lengthPrefixed: label) }
            let m = row.metrics
            for number in [m.visitors, m.visits, m.pageviews, m.events, m.bounces, m.duration] {
                out.append(varint: UInt64(max(0, number)))
            }
        }
        let checksum = CRC32C.checksum(out.bytes)
        out.append(littleEndian: checksum)
        return out.bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> [ImportedRow] {
        func damaged(_ why: String) -> ProjectionError {
            ProjectionError(
                .corrupt, "the imported rows are damaged: \(why)", file: path,
                hint: "Remove this import (`infinity import remove`) and import its files again")
        }
        guard bytes.count >= magic.count + 5, Array(bytes.prefix(magic.count)) == magic else {
            throw damaged("not an import file")
        }
        let body = bytes.count - 4
        let stored = bytes[body...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard bytes.withUnsafeBytes({ CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<body])) }) == stored
        else { throw damaged("checksum mismatch") }
        return try bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: buffer[..<body]), position: magic.count)
            do {
                let count = try reader.readCount(limit: body, "row count")
                var rows: [ImportedRow] = []
                rows.reserveCapacity(count)
                for _ in 0..<count {
                    guard let table = ImportedTable(rawValue: try reader.read(UInt8.self, "table")) else {
                        throw damaged("unknown table")
                    }
                    let day = try reader.readZigzag("day")
                    let labels = try table.dimensions.map { _ in try reader.readString(limit: 1 << 16, "label") }
                    var numbers: [Int64] = []
                    for _ in 0..<6 { numbers.append(Int64(clamping: try reader.readVarint("number"))) }
                    rows.append(
                        ImportedRow(
                            table: table, day: day, labels: labels,
                            metrics: Metrics(
                                visitors: numbers[0], visits: numbers[1], pageviews: numbers[2], events: numbers[3],
                                bounces: numbers[4], duration: numbers[5], revenue: 0)))
                }
                return rows
            } catch let error as ByteReader.OutOfBounds {
                throw damaged("cut short reading the \(error.what)")
            }
        }
    }
}
