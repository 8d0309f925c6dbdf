import Foundation

/// The reference data in `Tests/Fixtures` (sources and licenses in its README), and the GeoIP
/// database the product ships.
enum TestData {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let root = package.appendingPathComponent("Tests/Fixtures").path

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// DB-IP Country Lite, as shipped in `Sources/infinity/Resources/GeoIP`.
    static let geoip = package.appendingPathComponent("Sources/infinity/Resources/GeoIP/dbip-country-lite.mmdb").path

    /// The test cases of a uap-core YAML file: each case's fields as strings (absent fields empty).
    static func uapCases(_ file: String) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path("ua/uap-core/" + file), encoding: .utf8)
        var cases: [[String: String]] = []
        var current: [String: String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            var body = Substring(trimmed)
            if body.hasPrefix("- ") {
                if let current { cases.append(current) }
                current = [:]
                body = body.dropFirst(2)
            }
            guard current != nil, let colon = body.firstIndex(of: ":") else { continue }
            let key = String(body[..<colon])
            var value = String(body[body.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            } else if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            current![key] = value
        }
        if let current { cases.append(current) }
        return cases
    }
}
