/// The crawler names of monperrus/crawler-user-agents (MIT), as lower-case tokens found as whole
/// words in a user agent (or, with a leading `^`, at its start). Lookup is by each token's first three
/// bytes, so a user agent costs one dictionary probe per byte, whatever the number of tokens.
struct CrawlerList: Sendable {
    private var anywhere: [UInt32: [[UInt8]]] = [:]
    private var atStart: [[UInt8]] = []

    static let shared = CrawlerList(data)

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let token = String(line)
            if token.hasPrefix("^") {
                atStart.append(Array(token.dropFirst().utf8))
            } else if token.utf8.count >= 3 {
                let bytes = Array(token.utf8)
                anywhere[Self.key(bytes, 0), default: []].append(bytes)
            }
        }
    }

    /// Whether a lower-cased user agent contains one of the tokens.
    func matches(_ lower: [UInt8]) -> Bool {
        for token in atStart where lower.starts(with: token) { return true }
        guard lower.count >= 3 else { return false }
        for start in 0...(lower.count - 3) {
            guard let candidates = anywhere[Self.key(lower, start)] else { continue }
            for token in candidates where start + token.count <= lower.count {
                var index = 3
                while index < token.count && lower[start + index] == token[index] { index += 1 }
                if index == token.count && Self.isWhole(token, at: start, in: lower) { return true }
            }
        }
        return false
    }

    /// Whether `token` at `start` is a whole word: a letter or digit at its edge is not continued
    /// by another ("sonic" is not in "Panasonic", "bot/" is in "Googlebot/" only as "googlebot/").
    private static func isWhole(_ token: [UInt8], at start: Int, in text: [UInt8]) -> Bool {
        if isAlphanumeric(token[0]) && start > 0 && isAlphanumeric(text[start - 1]) { return false }
        let end = start + token.count
        if isAlphanumeric(token[token.count - 1]) && end < text.count && isAlphanumeric(text[end]) { return false }
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte >= 128
    }

    private static func key(_ bytes: [UInt8], _ start: Int) -> UInt32 {
        UInt32(bytes[start]) << 16 | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2])
    }
}
