import Journal

/// A page URL reduced to what is stored: host (lower-case, without `www.`), path (no query string,
/// no fragment unless hash routing is on), and the campaign parameters of its query string.
public struct PageURL: Sendable, Hashable {
    /// Host without `www.`.
    public var host: String
    /// Normalised path, starting with `/`.
    public var path: String
    /// `utm_*` parameters.
    public var utm: UTM
    /// The `ref` (or `source`, `utm_source` aside) parameter, a common campaign shorthand.
    public var ref: String

    /// The most characters a stored URL part may have.
    public static let maxLength = 2000

    /// Parses an absolute `http` or `https` URL; nil for anything else (no scheme, another scheme,
    /// no host, too long, invalid UTF-8 has already been replaced by the caller).
    public static func parse(_ text: String, hashRouting: Bool) -> PageURL? {
        guard text.utf8.count <= 8192 else { return nil }
        var rest = Substring(text)
        guard let schemeEnd = rest.range(of: "://") else { return nil }
        let scheme = rest[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        rest = rest[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }  // credentials
        var host: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[...close]
        } else {
            host = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        }
        var hostText = host.lowercased()
        while hostText.hasSuffix(".") { hostText.removeLast() }
        if hostText.hasPrefix("www.") { hostText.removeFirst(4) }
        guard !hostText.isEmpty, hostText.count <= 253,
            hostText.allSatisfy({
                $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" || $0 == "[" || $0 == "]" || $0 == ":"
            })
        else { return nil }
        rest = rest[authorityEnd...]
        var fragment: Substring = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        var path = rest.isEmpty ? "/" : String(rest)
        if hashRouting, !fragment.isEmpty { path += "#" + fragment }
        guard path.count <= maxLength else { return nil }
        var utm = UTM()
        var ref = ""
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].lowercased()
            let value = parts.count == 2 ? percentDecoded(parts[1]) : ""
            guard !value.isEmpty, value.count <= 300 else { continue }
            switch key {
            case "utm_source": utm.source = value
            case "utm_medium": utm.medium = value
            case "utm_campaign": utm.campaign = value
            case "utm_content": utm.content = value
            case "utm_term": utm.term = value
            case "ref", "source": if ref.isEmpty { ref = value }
            default: break
            }
        }
        return PageURL(host: hostText, path: path, utm: utm, ref: ref)
    }

    /// `a+b%20c` → `a b c`; malformed escapes are kept as they are.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == 43 {
                bytes.append(32)
            } else if byte == 37, iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
