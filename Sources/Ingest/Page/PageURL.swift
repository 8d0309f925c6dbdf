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

    /// The most bytes a URL may have.
    public static let maxBytes = 8192

    /// Why a URL is not taken as a page URL.
    public enum Problem: Sendable, Hashable {
        case tooLong
        case notHTTP
        case badHost
        case pathTooLong

        /// What to tell the sender.
        public var message: String {
            switch self {
            case .tooLong: "the URL is longer than \(PageURL.maxBytes) bytes"
            case .notHTTP: "not an absolute http(s) URL"
            case .badHost: "the URL's host is not a host name"
            case .pathTooLong: "the URL's path is longer than \(PageURL.maxLength) bytes"
            }
        }
    }

    /// A parsed URL, or why it is not a page URL.
    public enum Parsed: Sendable {
        case page(PageURL)
        case refused(Problem)
    }

    /// Parses an absolute `http` or `https` URL; nil for anything else (no scheme, another scheme,
    /// no host or a host with characters a host cannot have, too long).
    public static func parse(_ text: String, hashRouting: Bool) -> PageURL? {
        guard case .page(let page) = check(text, hashRouting: hashRouting) else { return nil }
        return page
    }

    /// Parses an absolute `http` or `https` URL, or says why it is not one.
    public static func check(_ text: String, hashRouting: Bool) -> Parsed {
        var text = text
        return text.withUTF8 { parse(bytes: $0, hashRouting: hashRouting) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, hashRouting: Bool) -> Parsed {
        let count = bytes.count
        guard count <= maxBytes else { return .refused(.tooLong) }
        // Scheme: letters up to "://".
        var i = 0
        while i < count && bytes[i] != 58 { i += 1 }  // ':'
        guard i + 2 < count, bytes[i + 1] == 47, bytes[i + 2] == 47 else { return .refused(.notHTTP) }
        // android-app://com.example.app/ is how Android apps name themselves as referrers.
        guard
            matches(bytes, 0, i, "http") || matches(bytes, 0, i, "https") || matches(bytes, 0, i, "android-app")
        else { return .refused(.notHTTP) }
        let authorityStart = i + 3
        var authorityEnd = authorityStart
        while authorityEnd < count, bytes[authorityEnd] != 47, bytes[authorityEnd] != 63, bytes[authorityEnd] != 35 {
            authorityEnd += 1
        }
        var hostStart = authorityStart
        for j in authorityStart..<authorityEnd where bytes[j] == 64 { hostStart = j + 1 }  // after credentials
        var hostEnd = hostStart
        if hostStart < authorityEnd && bytes[hostStart] == 91 {  // [IPv6]
            while hostEnd < authorityEnd && bytes[hostEnd] != 93 { hostEnd += 1 }
            guard hostEnd < authorityEnd else { return .refused(.badHost) }
            hostEnd += 1
        } else {
            while hostEnd < authorityEnd && bytes[hostEnd] != 58 { hostEnd += 1 }
        }
        // The host is read in place: trailing dots and a leading `www.` (in any case) trimmed off
        // the range, and lower-cased only as it becomes a string.
        while hostEnd > hostStart, bytes[hostEnd - 1] == 46 { hostEnd -= 1 }
        if hostEnd - hostStart >= 4, matches(bytes, hostStart, hostStart + 4, "www.") { hostStart += 4 }
        guard hostEnd > hostStart, hostEnd - hostStart <= 253,
            bytes[hostStart..<hostEnd].allSatisfy({
                isAlphanumeric($0) || $0 == 46 || $0 == 45 || $0 == 95 || $0 == 91 || $0 == 93 || $0 == 58
            })
        else { return .refused(.badHost) }
        var pathEnd = authorityEnd
        while pathEnd < count, bytes[pathEnd] != 63, bytes[pathEnd] != 35 { pathEnd += 1 }
        var path =
            pathEnd > authorityEnd
            ? String(decoding: UnsafeBufferPointer(rebasing: bytes[authorityEnd..<pathEnd]), as: UTF8.self) : "/"
        var queryEnd = pathEnd
        var utm = UTM()
        var ref = ""
        if pathEnd < count, bytes[pathEnd] == 63 {
            queryEnd = pathEnd + 1
            while queryEnd < count, bytes[queryEnd] != 35 { queryEnd += 1 }
            parseQuery(UnsafeBufferPointer(rebasing: bytes[(pathEnd + 1)..<queryEnd]), utm: &utm, ref: &ref)
        }
        if hashRouting, queryEnd < count, bytes[queryEnd] == 35, queryEnd + 1 < count {
            path += String(decoding: UnsafeBufferPointer(rebasing: bytes[queryEnd..<count]), as: UTF8.self)
        }
        if path.utf8.contains(37) { path = Self.pathDecoded(path) }  // '%'
        guard path.utf8.count <= maxLength else { return .refused(.pathTooLong) }
        return .page(PageURL(host: lowercased(bytes, hostStart, hostEnd), path: path, utm: utm, ref: ref))
    }

    private static func parseQuery(_ query: UnsafeBufferPointer<UInt8>, utm: inout UTM, ref: inout String) {
        var start = 0
        while start <= query.count {
            var end = start
            while end < query.count && query[end] != 38 { end += 1 }  // '&'
            var equals = start
            while equals < end && query[equals] != 61 { equals += 1 }  // '='
            // The key is compared in place, in any case; only a wanted parameter's value is decoded.
            if equals < end, let parameter = CampaignParameter(query, start, equals),
                parameter != .ref || ref.isEmpty
            {
                let value = parameterValue(UnsafeBufferPointer(rebasing: query[(equals + 1)..<end]))
                if !value.isEmpty && value.utf8.count <= 300 {
                    switch parameter {
                    case .utmSource: utm.source = value
                    case .utmMedium: utm.medium = value
                    case .utmCampaign: utm.campaign = value
                    case .utmContent: utm.content = value
                    case .utmTerm: utm.term = value
                    case .ref: ref = value
                    }
                }
            }
            start = end + 1
        }
    }

    /// The query parameters a page URL keeps.
    private enum CampaignParameter {
        case utmSource, utmMedium, utmCampaign, utmContent, utmTerm, ref

        /// The parameter `bytes[start..<end]` names, in any case; nil for any other.
        init?(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
            switch end - start {
            case 3 where PageURL.matches(bytes, start, end, "ref"): self = .ref
            case 6 where PageURL.matches(bytes, start, end, "source"): self = .ref
            case 8 where PageURL.matches(bytes, start, end, "utm_term"): self = .utmTerm
            case 10 where PageURL.matches(bytes, start, end, "utm_source"): self = .utmSource
            case 10 where PageURL.matches(bytes, start, end, "utm_medium"): self = .utmMedium
            case 11 where PageURL.matches(bytes, start, end, "utm_content"): self = .utmContent
            case 12 where PageURL.matches(bytes, start, end, "utm_campaign"): self = .utmCampaign
            default: return nil
            }
        }
    }

    /// A query parameter's value, decoded (``percentDecoded(_:)``); one with nothing to decode
    /// becomes a string straight from its bytes.
    private static func parameterValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        bytes.contains(where: { $0 == 37 || $0 == 43 })  // '%', '+'
            ? percentDecoded(bytes) : String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90)
    }

    /// Whether `bytes[start..<end]` is `word` (lower-case ASCII) in any case, without copying.
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ word: StaticString)
        -> Bool
    {
        guard end - start == word.utf8CodeUnitCount else { return false }
        for offset in 0..<(end - start) {
            if lowered(bytes[start + offset]) != word.utf8Start[offset] { return false }
        }
        return true
    }

    /// An ASCII capital letter made small; every other byte as it is.
    @inline(__always)
    private static func lowered(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    /// `bytes[start..<end]` as a string with ASCII capitals made small (in place: no copy of the
    /// bytes before the string's own storage, and none at all for a string short enough to be
    /// stored inline).
    private static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let part = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard part.contains(where: { lowered($0) != $0 }) else { return String(decoding: part, as: UTF8.self) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: part.count) { lower in
            for i in 0..<part.count { lower[i] = lowered(part[i]) }
            return String(decoding: UnsafeBufferPointer(lower), as: UTF8.self)
        }
    }

    /// A path as people read it, as Plausible shows it: `/category/%D8%AC%D9%88` → `/category/جو`.
    /// Escapes that would change the path's structure (`%2F` `/`, `%3F` `?`, `%23` `#`, `%25` `%`)
    /// stay, `+` stays `+`, and a run of escapes that is not valid UTF-8 is kept exactly as sent.
    static func pathDecoded(_ path: String) -> String {
        var output: [UInt8] = []
        var bytes = Array(path.utf8)[...]
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while let byte = bytes.first {
            guard byte == 37 else {
                output.append(byte)
                bytes = bytes.dropFirst()
                continue
            }
            // A run of %XX escapes, decoded together (a UTF-8 character spans several).
            var run: [UInt8] = []
            var raw = bytes
            while raw.count >= 3, raw.first == 37, let high = hex(raw[raw.startIndex + 1]),
                let low = hex(raw[raw.startIndex + 2])
            {
                let value = high << 4 | low
                if value == 0x2F || value == 0x3F || value == 0x23 || value == 0x25 || value < 0x20 || value == 0x7F {
                    break
                }
                run.append(value)
                raw = raw.dropFirst(3)
            }
            if run.isEmpty {
                // Not a decodable escape: keep the '%' (and what follows) as sent.
                output.append(byte)
                bytes = bytes.dropFirst()
            } else if String(validating: run, as: UTF8.self) != nil {
                output += run
                bytes = raw
            } else {
                output += bytes[bytes.startIndex..<raw.startIndex]
                bytes = raw
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `a+b%20c` → `a b c`; malformed escapes are kept as they are.
    static func percentDecoded(_ text: UnsafeBufferPointer<UInt8>) -> String {
        var bytes: [UInt8] = []
        var iterator = text[...]
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
