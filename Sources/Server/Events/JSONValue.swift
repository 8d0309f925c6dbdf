/// A parsed JSON value. The event payload is small and flat, so a byte-level parser avoids the
/// `Any` casts of `JSONSerialization`, which dominated request handling.
/// Not `indirect`: arrays and objects already hold their members on the heap, and a boxed case
/// would cost an allocation for every string and number as well.
enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    /// The value of `key` in an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    struct Malformed: Error {
        let message: String
    }

    /// Parses a whole document (UTF-8 already validated by the caller).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw Malformed(message: "unexpected text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count,
                bytes[index] == 32 || bytes[index] == 9 || bytes[index] == 10 || bytes[index] == 13
            {
                index += 1
            }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 16 else { throw Malformed(message: "nested too deeply") }
            skipSpace()
            guard index < bytes.count else { throw Malformed(message: "the JSON ends too early") }
            switch bytes[index] {
            case 123: return try object(depth: depth)  // {
            case 91:  // [
                index += 1
                var items: [JSONValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == 93 {
                    index += 1
                    return .array(items)
                }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw Malformed(message: "the JSON ends too early") }
                    if bytes[index] == 44 { index += 1; continue }
                    guard bytes[index] == 93 else { throw Malformed(message: "expected , or ] in an array") }
                    index += 1
                    return .array(items)
                }
            case 34: return .string(try string())
            case 116: try literal("true"); return .bool(true)
            case 102: try literal("false"); return .bool(false)
            case 110: try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func object(depth: Int) throws -> JSONValue {
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == 125 {
                index += 1
                return .object(members)
            }
            // An event's object has a handful of members: room for them at once, not four regrowths.
            members.reserveCapacity(8)
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == 34 else { throw Malformed(message: "expected a quoted key") }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == 58 else {
                    throw Malformed(message: "expected : after a key")
                }
                index += 1
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard index < bytes.count else { throw Malformed(message: "the JSON ends too early") }
                if bytes[index] == 44 { index += 1; continue }
                guard bytes[index] == 125 else { throw Malformed(message: "expected , or } in an object") }
                index += 1
                return .object(members)
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw Malformed(message: "the JSON ends too early") }
            for i in 0..<count where bytes[index + i] != word.utf8Start[i] {
                throw Malformed(message: "unexpected text in the JSON")
            }
            index += count
        }

        mutating func number() throws -> Double {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                guard (byte >= 48 && byte <= 57) || byte == 45 || byte == 43 || byte == 46 || byte == 101 || byte == 69
                else { break }
                index += 1
            }
            guard index > start,
                let value = Double(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)),
                value.isFinite
            else { throw Malformed(message: "unexpected text in the JSON") }
            return value
        }

        mutating func string() throws -> String {
            index += 1
            // Most strings have no escapes: made straight from the bytes, with no buffer between.
            var end = index
            while end < bytes.count, bytes[end] != 34, bytes[end] != 92, bytes[end] >= 32 { end += 1 }
            if end < bytes.count, bytes[end] == 34 {
                defer { index = end + 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            }
            // The bytes up to `end` are plain; go on from there.
            var out: [UInt8] = []
            var plainStart = index
            index = end
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 34 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if byte < 32 { throw Malformed(message: "a control character inside a string") }
                if byte == 92 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                    index += 1
                    guard index < bytes.count else { break }
                    switch bytes[index] {
                    case 34: out.append(34)
                    case 92: out.append(92)
                    case 47: out.append(47)
                    case 98: out.append(8)
                    case 102: out.append(12)
                    case 110: out.append(10)
                    case 114: out.append(13)
                    case 116: out.append(9)
                    case 117:
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar), index + 2 < bytes.count, bytes[index + 1] == 92,
                            bytes[index + 2] == 117
                        {
                            index += 2
                            let low = try hex4()
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                        }
                        out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
                    default: throw Malformed(message: "an unknown escape in a string")
                    }
                    index += 1
                    plainStart = index
                    continue
                }
                index += 1
            }
            throw Malformed(message: "a string is not closed")
        }

        /// Reads the 4 hex digits after `\u` (index on the `u`), leaving index on the last digit.
        mutating func hex4() throws -> UInt32 {
            guard index + 4 < bytes.count else { throw Malformed(message: "a \\u escape is cut short") }
            var value: UInt32 = 0
            for i in 1...4 {
                guard let digit = UInt32(String(UnicodeScalar(bytes[index + i])), radix: 16) else {
                    throw Malformed(message: "a \\u escape is not hexadecimal")
                }
                value = value << 4 | digit
            }
            index += 4
            return value
        }
    }
}
