/// Writes CSV (RFC 4180) straight into bytes, field by field: quoted only when a field holds a
/// comma, quote or line break, lines ended by `\n`. Numbers are written as ``JSONWriter`` writes
/// them, so that a CSV and a JSON answer carry the same digits.
public struct CSVWriter: Sendable {
    /// The CSV written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether the next field needs a comma first.
    private var needsComma = false

    /// A writer that reserves `capacity` bytes.
    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// A text field. With `spreadsheetSafe`, a value that starts like a formula (`=`, `+`, `-`,
    /// `@`, tab or carriage return) gets a leading `'`, so that a spreadsheet shows it and never
    /// runs it (OWASP's advice for CSV): for values visitors sent.
    public mutating func field(_ value: String, spreadsheetSafe: Bool = false) {
        separate()
        let utf8 = value.utf8
        let guarded = spreadsheetSafe && utf8.first.map(Self.formulaStarts.contains) == true
        let quoted = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        if quoted { bytes.append(UInt8(ascii: "\"")) }
        if guarded { bytes.append(UInt8(ascii: "'")) }
        if quoted {
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: utf8)
        }
    }

    /// A number: whole numbers without a fraction, others in the shortest form that reads back the
    /// same; nil, NaN and infinities as an empty field.
    public mutating func number(_ value: Double?) {
        separate()
        guard let value, value.isFinite else { return }
        if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// Ends the line.
    public mutating func endLine() {
        bytes.append(10)
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    private static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13,
    ]
}
