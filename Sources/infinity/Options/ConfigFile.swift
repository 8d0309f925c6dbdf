import ArgumentParser
import Foundation
import TOMLKit

/// `infinity.toml`: the settings of `infinity serve` in a file, read by TOMLKit (full TOML 1.0
/// syntax). Only the keys below are allowed, each with one type, so every mistake gets an error
/// naming the file and line instead of being ignored.
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
        "data", "listen", "geoip", "trusted_proxies", "ack", "idle_timeout", "request_timeout", "max_connections",
        "retention",
        "rollup_retention", "fold_interval", "query_cache", "commit_delay", "clickhouse", "clickhouse_database", "node",
        "query_from", "clickhouse_cluster", "smtp_url", "mail_from",
    ]

    /// A setting's value, in the types the settings use; anything else (a decimal, a boolean, a
    /// table, a list of numbers) is kept as `.other` and refused when the setting is read.
    enum Value: Equatable {
        case text(String)
        case number(Int64)
        case list([String])
        case other(String)
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
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw CommandFailure("\(path), line \(error.source.begin.line): \(error.description)")
        }
        lines = Self.keyLines(text)
        for (key, value) in table {
            guard Self.keys.contains(key) else {
                throw CommandFailure(
                    "\(path), line \(lines[key] ?? 1): unknown setting '\(key)'; known: \(Self.keys.sorted().joined(separator: ", "))"
                )
            }
            values[key] = Self.value(value)
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

    /// One address or a list of them (`clickhouse = "http://…"` or `clickhouse = ["http://…", …]`).
    func addresses(_ key: String) throws -> [String]? {
        switch values[key] {
        case nil: return nil
        case .text(let text): return [text]
        case .list(let items): return items
        default:
            throw CommandFailure(
                "\(place(key)): '\(key)' must be an address such as \(key) = \"http://127.0.0.1:8123\", or a list of them"
            )
        }
    }

    private func place(_ key: String) -> String { "\(path), line \(lines[key] ?? 1)" }

    private static func value(_ value: TOMLValueConvertible) -> Value {
        if let text = value.string { return .text(text) }
        if let number = value.int { return .number(Int64(number)) }
        if let array = value.array {
            let texts = array.compactMap(\.string)
            return texts.count == array.count ? .list(texts) : .other("\(array)")
        }
        return .other("\(value)")
    }

    /// The line of each top-level key (TOMLKit keeps no positions for values). A key is found as
    /// `key =` at the start of a line, bare or quoted; tables come after all top-level keys.
    static func keyLines(_ text: String) -> [String: Int] {
        var lines: [String: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                // The first table header: its name is what an unknown-key error should point at.
                let name = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                if let first = name.split(separator: ".").first, lines[String(first)] == nil {
                    lines[String(first)] = index + 1
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'"))
            if lines[key] == nil { lines[key] = index + 1 }
        }
        return lines
    }
}
