/// Writes Thrift's compact protocol, the encoding of Parquet's page headers and file metadata:
/// field headers as deltas of field ids, integers as zigzag varints, strings with a varint length.
/// Only what ``ParquetWriter`` writes is here.
struct ThriftCompactWriter {
    private(set) var bytes: [UInt8] = []
    /// The last field id of each open struct.
    private var lastField: [Int16] = [0]

    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, i32 = 5, i64 = 6, binary = 8, list = 9, structure = 12
    }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// The header of field `id` of `type`.
    mutating func field(_ id: Int16, _ type: FieldType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        field(id, .i32)
        zigzag(Int64(value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        field(id, .i64)
        zigzag(value)
    }

    mutating func string(_ id: Int16, _ value: String) {
        field(id, .binary)
        rawString(value)
    }

    private mutating func rawString(_ value: String) {
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes += utf8
    }

    /// A struct field: its fields are written by `body`.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        field(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    mutating func beginStruct() { lastField.append(0) }

    /// Bytes already encoded (a struct's fields written by another writer).
    mutating func raw(_ encoded: [UInt8]) { bytes += encoded }

    mutating func endStruct() {
        bytes.append(0)  // STOP
        lastField.removeLast()
    }

    /// A list of `count` elements of `type`; the caller writes them.
    mutating func listHeader(_ id: Int16, _ type: FieldType, count: Int) {
        field(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func i32List(_ id: Int16, _ values: [Int32]) {
        listHeader(id, .i32, count: values.count)
        for value in values { zigzag(Int64(value)) }
    }

    mutating func stringList(_ id: Int16, _ values: [String]) {
        listHeader(id, .binary, count: values.count)
        for value in values { rawString(value) }
    }

    /// A list of structs, each written by `body`.
    mutating func structList<T>(_ id: Int16, _ values: [T], _ body: (inout ThriftCompactWriter, T) -> Void) {
        listHeader(id, .structure, count: values.count)
        for value in values {
            beginStruct()
            body(&self, value)
            endStruct()
        }
    }
}
