/// The records of a CSV file (RFC 4180: commas, fields in double quotes with `""` for a quote,
/// CRLF or LF line ends, a UTF-8 byte-order mark skipped), one at a time, each with the line it
/// starts on for error messages.
struct CSVRecords: IteratorProtocol, Sequence {
    private let bytes: [UInt8]
    private var position: Int
    private var line = 1

    /// The longest field read (bytes); a longer one is cut there.
    static let maxField = 4096

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record and the line it starts on; nil at the end.
    mutating func next() -> (line: Int, fields: [String])? {
        guard position < bytes.count else { return nil }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        func add(_ byte: UInt8) { if field.count < Self.maxField { field.append(byte) } }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position < bytes.count && bytes[position] == UInt8(ascii: "\"") {
                        add(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    add(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): quoted = true
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\r"): continue
            case UInt8(ascii: "\n"):
                line += 1
                fields.append(String(decoding: field, as: UTF8.self))
                return (start, fields)
            default: add(byte)
            }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return (start, fields)
    }
}
