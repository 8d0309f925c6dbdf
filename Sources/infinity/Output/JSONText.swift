/// Minimal JSON writing with a fixed key order, for NDJSON output that diffs and greps well.
struct JSONObject {
    private var text = "{"
    private var first = true

    mutating func add(_ key: String, _ value: String) { addRaw(key, JSONObject.quote(value)) }
    mutating func add(_ key: String, _ value: Int64) { addRaw(key, String(value)) }
    mutating func add(_ key: String, _ value: UInt64) { addRaw(key, String(value)) }
    mutating func add(_ key: String, _ value: Double) { addRaw(key, value.isFinite ? "\(value)" : "null") }
    mutating func add(_ key: String, _ value: Bool) { addRaw(key, value ? "true" : "false") }

    mutating func addRaw(_ key: String, _ json: String) {
        if !first { text += "," }
        first = false
        text += JSONObject.quote(key) + ":" + json
    }

    var json: String { text + "}" }

    /// A JSON string literal.
    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
