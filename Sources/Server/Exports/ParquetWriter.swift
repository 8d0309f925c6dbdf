/// Writes Apache Parquet files — the columnar format DuckDB, pandas, Polars, Spark and ClickHouse
/// read directly — for `infinity export --format parquet`: flat schemas of strings (UTF-8),
/// 64-bit integers, millisecond timestamps and booleans, optional where a value may be missing;
/// strings in a dictionary page (PLAIN past ``maxDictionary`` distinct values), one gzip-compressed
/// data page per column per row group of ``rowsPerGroup``
/// rows, written as rows arrive, so memory stays bounded by one row group.
///
/// Hand-written because the package mirror has no Parquet library; the format's parts used here
/// are small (Thrift compact metadata, PLAIN and dictionary values, the RLE/bit-packed hybrid), and
/// `ExportTests` and `ParquetWriterTests` read files back with DuckDB.
struct ParquetWriter {
    /// A column's type.
    enum Kind {
        case string, int64, timestampMillis, boolean
    }

    /// A column: its name, type, and whether it may hold nulls.
    struct Column {
        let name: String
        let kind: Kind
        var optional = false
    }

    /// One value of a row.
    enum Value {
        case string(String), int64(Int64), bool(Bool), null
    }

    let columns: [Column]
    let rowsPerGroup: Int
    private let sink: ([UInt8]) throws -> Void
    private var offset: Int64 = 0
    private var buffers: [Buffer]
    private var rowsInGroup = 0
    private var totalRows: Int64 = 0
    private var groups: [[UInt8]] = []  // each row group's metadata, encoded

    /// One column's values of the row group being filled. Strings go into a dictionary (each
    /// distinct value once, rows as indices) until it holds ``maxDictionary`` values, then the
    /// column falls back to PLAIN values.
    private struct Buffer {
        var values: [UInt8] = []
        var booleans: [Bool] = []
        var defined: [Bool] = []
        var dictionary: [String: UInt32] = [:]
        var entries: [String] = []
        var indices: [UInt32] = []
        var plain = false

        mutating func add(_ text: String) {
            if !plain {
                if let index = dictionary[text] {
                    indices.append(index)
                    return
                }
                if entries.count < ParquetWriter.maxDictionary {
                    dictionary[text] = UInt32(entries.count)
                    indices.append(UInt32(entries.count))
                    entries.append(text)
                    return
                }
                // Too many distinct values: the rows so far as PLAIN values, and the rest after them.
                plain = true
                for index in indices { Self.plain(entries[Int(index)], into: &values) }
                dictionary = [:]
                entries = []
                indices = []
            }
            Self.plain(text, into: &values)
        }

        static func plain(_ text: String, into values: inout [UInt8]) {
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { values += $0 }
            values += utf8
        }
    }

    /// The most distinct values a string column's dictionary holds in one row group.
    static let maxDictionary = 1 << 16

    /// A writer that hands the file's bytes to `sink` in order.
    init(columns: [Column], rowsPerGroup: Int = 100_000, sink: @escaping ([UInt8]) throws -> Void) throws {
        self.columns = columns
        self.rowsPerGroup = max(1, rowsPerGroup)
        self.sink = sink
        buffers = columns.map { _ in Buffer() }
        try write(Array("PAR1".utf8))
    }

    private mutating func write(_ bytes: [UInt8]) throws {
        try sink(bytes)
        offset += Int64(bytes.count)
    }

    /// Adds a row: one value per column, in order (`null` only in optional columns).
    mutating func append(_ row: [Value]) throws {
        guard row.count == columns.count else {
            throw ServerError("a Parquet row needs \(columns.count) values, not \(row.count)", code: "parquet")
        }
        for (index, value) in row.enumerated() {
            let optional = columns[index].optional
            if case .null = value {
                if optional { buffers[index].defined.append(false) }
                continue
            }
            if optional { buffers[index].defined.append(true) }
            switch value {
            case .string(let text): buffers[index].add(text)
            case .int64(let number): Self.append(UInt64(bitPattern: number), to: &buffers[index].values)
            case .bool(let flag): buffers[index].booleans.append(flag)
            case .null: break
            }
        }
        rowsInGroup += 1
        if rowsInGroup >= rowsPerGroup { try flush() }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// Writes the row group filled so far.
    private mutating func flush() throws {
        guard rowsInGroup > 0 else { return }
        var chunks = ThriftCompactWriter()
        var groupBytes: Int64 = 0
        chunks.listHeader(1, .structure, count: columns.count)
        for (index, column) in columns.enumerated() {
            var page: [UInt8] = []
            if column.optional {
                let levels = Self.hybrid(buffers[index].defined.map { $0 ? 1 : 0 }, width: 1)
                Self.append(UInt32(levels.count), to: &page)
                page += levels
            }
            // A dictionary column: its distinct values in a page before the data page, whose
            // values are indices (bit width, then RLE/bit-packed).
            let dictionary = column.kind == .string && !buffers[index].plain
            var dictionaryPage: (header: [UInt8], compressed: [UInt8], size: Int)?
            if dictionary {
                var entries: [UInt8] = []
                for entry in buffers[index].entries { Buffer.plain(entry, into: &entries) }
                let count = Int32(buffers[index].entries.count)
                let (header, compressed) = try Self.page(entries, type: 2, headerField: 7) { page in  // DICTIONARY_PAGE
                    page.i32(1, count)
                    page.i32(2, 2)  // PLAIN_DICTIONARY
                }
                dictionaryPage = (header, compressed, entries.count)
                let width = max(
                    1, UInt32.bitWidth - UInt32(max(1, buffers[index].entries.count) - 1).leadingZeroBitCount)
                page.append(UInt8(width))
                page += Self.hybrid(buffers[index].indices, width: width)
            } else if column.kind == .boolean {
                var packed = [UInt8](repeating: 0, count: (buffers[index].booleans.count + 7) / 8)
                for (position, flag) in buffers[index].booleans.enumerated() where flag {
                    packed[position / 8] |= 1 << UInt8(position % 8)
                }
                page += packed
            } else {
                page += buffers[index].values
            }
            let rows = Int32(rowsInGroup)
            let (headerBytes, compressed) = try Self.page(page, type: 0, headerField: 5) { data in  // DATA_PAGE
                data.i32(1, rows)
                data.i32(2, dictionary ? 2 : 0)  // PLAIN_DICTIONARY or PLAIN
                data.i32(3, 3)  // RLE definition levels
                data.i32(4, 3)  // RLE repetition levels
            }
            let dictionaryOffset = offset
            var uncompressed = Int64(headerBytes.count + page.count)
            var stored = Int64(headerBytes.count + compressed.count)
            if let dictionaryPage {
                try write(dictionaryPage.header)
                try write(dictionaryPage.compressed)
                uncompressed += Int64(dictionaryPage.header.count + dictionaryPage.size)
                stored += Int64(dictionaryPage.header.count + dictionaryPage.compressed.count)
            }
            let pageOffset = offset
            try write(headerBytes)
            try write(compressed)
            groupBytes += uncompressed
            chunks.beginStruct()
            chunks.i64(2, dictionary ? dictionaryOffset : pageOffset)
            chunks.structure(3) { meta in
                meta.i32(1, Self.physicalType(column.kind))
                meta.i32List(2, dictionary ? [2, 3, 0] : [0, 3])  // PLAIN_DICTIONARY, RLE, PLAIN
                meta.stringList(3, [column.name])
                meta.i32(4, 2)  // GZIP
                meta.i64(5, Int64(rowsInGroup))
                meta.i64(6, uncompressed)
                meta.i64(7, stored)
                meta.i64(9, pageOffset)
                if dictionary { meta.i64(11, dictionaryOffset) }
            }
            chunks.endStruct()
            buffers[index] = Buffer()
        }
        chunks.i64(2, groupBytes)
        chunks.i64(3, Int64(rowsInGroup))
        groups.append(chunks.bytes)
        totalRows += Int64(rowsInGroup)
        rowsInGroup = 0
    }

    /// Writes the last row group and the file's metadata; the file is complete after this.
    mutating func finish() throws {
        try flush()
        var meta = ThriftCompactWriter()
        meta.beginStruct()
        meta.i32(1, 1)
        meta.listHeader(2, .structure, count: columns.count + 1)
        meta.beginStruct()
        meta.string(4, "schema")
        meta.i32(5, Int32(columns.count))
        meta.endStruct()
        for column in columns {
            meta.beginStruct()
            meta.i32(1, Self.physicalType(column.kind))
            meta.i32(3, column.optional ? 1 : 0)  // OPTIONAL or REQUIRED
            meta.string(4, column.name)
            switch column.kind {
            case .string: meta.i32(6, 0)  // UTF8
            case .timestampMillis: meta.i32(6, 9)  // TIMESTAMP_MILLIS
            case .int64, .boolean: break
            }
            meta.endStruct()
        }
        meta.i64(3, totalRows)
        meta.listHeader(4, .structure, count: groups.count)
        // Each row group's fields were encoded as they were written; each closes with its STOP.
        for group in groups { meta.raw(group + [0]) }
        meta.string(6, "infinity-metrics")
        meta.endStruct()
        let file = meta.bytes
        try write(file)
        var length: [UInt8] = []
        Self.append(UInt32(file.count), to: &length)
        try write(length + Array("PAR1".utf8))
    }

    /// A page's bytes gzip-compressed, with its header: the page type, both sizes, and the
    /// type's own header struct (field `headerField`) written by `fields`. Level 3: two thirds of
    /// level 6's time for a fifth more bytes (Docs/benchmarks.md).
    static func page(
        _ bytes: [UInt8], type: Int32, headerField: Int16, _ fields: (inout ThriftCompactWriter) -> Void
    ) throws -> (header: [UInt8], compressed: [UInt8]) {
        let compressed = try Zlib.deflate(bytes, wrapper: .gzip, level: 3)
        var header = ThriftCompactWriter()
        header.beginStruct()
        header.i32(1, type)
        header.i32(2, Int32(bytes.count))
        header.i32(3, Int32(compressed.count))
        header.structure(headerField, fields)
        header.endStruct()
        return (header.bytes, compressed)
    }

    /// `values` of `width` bits each in Parquet's RLE/bit-packed hybrid: a single bit-packed run
    /// of groups of eight (the last padded with zeros, which readers ignore past the page's count).
    /// Definition levels (width 1) and dictionary indices use it.
    static func hybrid(_ values: [UInt32], width: Int) -> [UInt8] {
        let groups = (values.count + 7) / 8
        var out: [UInt8] = []
        var header = UInt64(groups) << 1 | 1
        while header >= 0x80 {
            out.append(UInt8(header & 0x7F) | 0x80)
            header >>= 7
        }
        out.append(UInt8(header))
        var packed = [UInt8](repeating: 0, count: groups * width)
        var bit = 0
        for value in values {
            for shift in 0..<width where value >> UInt32(shift) & 1 == 1 {
                packed[(bit + shift) / 8] |= 1 << UInt8((bit + shift) % 8)
            }
            bit += width
        }
        return out + packed
    }

    static func physicalType(_ kind: Kind) -> Int32 {
        switch kind {
        case .boolean: 0
        case .int64, .timestampMillis: 2
        case .string: 6
        }
    }
}
