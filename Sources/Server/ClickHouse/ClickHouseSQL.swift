import Journal
import Projections

/// Literals and names for ClickHouse SQL text. ClickHouse 18.16 (Debian's package) has no query
/// parameters, so every value a user gave is written as a quoted literal, escaped here and only here.
enum ClickHouseSQL {
    /// `value` as a single-quoted string literal: backslash, quote and control bytes escaped.
    static func string(_ value: String) -> String {
        var out = "'"
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count == 1 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "'"
    }

    /// A list of string literals, `('a', 'b')`.
    static func list(_ values: [String]) -> String { "(" + values.map(string).joined(separator: ", ") + ")" }

    /// `transform(column, [0, 1, …], ['Direct', 'Referral', …], '')`: a stored number as its name.
    static func names<T: RawRepresentable & CaseIterable & CustomStringConvertible>(
        _ column: String, _ type: T.Type
    ) -> String where T.RawValue == UInt8 {
        let cases = Array(T.allCases)
        let numbers = cases.map { "toUInt8(\($0.rawValue))" }.joined(separator: ", ")
        let labels = cases.map { string($0.description) }.joined(separator: ", ")
        return "transform(\(column), [\(numbers)], [\(labels)], '')"
    }

    /// One TabSeparated field as text (ClickHouse escapes `\`, tab, newline and a few more).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var out = ""
        var escaped = false
        for character in field {
            if escaped {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                default: out.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
