import ArgumentParser
import Foundation

/// `infinity.toml`: the settings of `infinity serve` in a file. A strict subset of TOML —
/// `key = "text"`, `key = 123`, `key = ["a", "b"]`, `# comments` — so that every mistake gets an
/// error with its line number instead of being ignored.
///
/// ```toml
/// data = "/var/lib/infinity"
/// listen = "0.0.0.0:8080"
/// geoip = "/var/lib/GeoLite2-Country.mmdb"
/// trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
/// ack = "durable"
/// idle_timeout = 30
/// request_timeout = 30
/// ```
struct ConfigFile {
    /// The keys `infinity serve` understands.
    static let keys: Set<String> = [
        "data", "listen", "geoip", "trusted_proxies", "ack", "idle_timeout", "request_timeout", "retention",
        "rollup_retention", "fold_interval", "query_cache", "commit_delay",
    ]

    enum Value: Equatable {
        case text(String)
        case number(Int64)
        case list([String])
    }

    private(set) var values: [String: Value] = [:]
    /// The line each setting is on, for errors about its value.
    private(set) var lines: [String: Int] = [:]
    let path: String

    /// Reads and checks a file.
    init(path: String) throws {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure("cannot read the config file \(path); check the path given to --config")
        }
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.stripComment(String(raw)).trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            func fail(_ message: String) -> CommandFailure {
                CommandFailure("\(path), line \(index + 1): \(message)")
            }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard Self.keys.contains(key) else {
                throw fail("unknown setting '\(key)'; known: \(Self.keys.sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw fail("'\(key)' is set twice") }
            guard let parsed = Self.parse(value) else {
                throw fail("'\(value)' is not a quoted text, a whole number or a list of quoted texts")
            }
            values[key] = parsed
            lines[key] = index + 1
        }
    }

    /// A text setting (or throws if it has another type).
    func text(_ key: String) throws -> String? {
        switch values[key] {
        case nil: return nil
        case .text(let text): return text
        default: throw CommandFailure("\(place(key)): '\(key)' must be a quoted text, such as \(key) = \"…\"")
        }
    }

    /// A whole-number setting.
    func number(_ key: String) throws -> Int64? {
        switch values[key] {
        case nil: return nil
        case .number(let number): return number
        default: throw CommandFailure("\(place(key)): '\(key)' must be a whole number, such as \(key) = 30")
        }
    }

    /// A list-of-texts setting.
    func list(_ key: String) throws -> [String]? {
        switch values[key] {
        case nil: return nil
        case .list(let items): return items
        default: throw CommandFailure("\(place(key)): '\(key)' must be a list such as [\"10.0.0.0/8\"]")
        }
    }

    private func place(_ key: String) -> String { "\(path), line \(lines[key] ?? 0)" }

    private static func stripComment(_ line: String) -> String {
        var inQuotes = false
        for (offset, character) in line.enumerated() {
            if character == "\"" { inQuotes.toggle() }
            if character == "#" && !inQuotes { return String(line.prefix(offset)) }
        }
        return line
    }

    private static func parse(_ text: String) -> Value? {
        if let quoted = quoted(text) { return .text(quoted) }
        if let number = Int64(text) { return .number(number) }
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        if inner.isEmpty { return .list([]) }
        var items: [String] = []
        for part in inner.split(separator: ",") {
            guard let item = quoted(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            items.append(item)
        }
        return .list(items)
    }

    private static func quoted(_ text: String) -> String? {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return nil }
        let inner = String(text.dropFirst().dropLast())
        return inner.contains("\"") ? nil : inner
    }
}
