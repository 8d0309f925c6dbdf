import Journal

/// Classifies user-agent strings into browser, OS and device class, and spots bots.
///
/// The rules are ordered token checks written for this project (no regular expressions, no rule
/// files from elsewhere): apps and lesser-known browsers that borrow Chrome's or Safari's tokens are
/// recognised first, so that they are not counted as Chrome or Safari. `Docs/privacy.md` lists the
/// families; the accuracy on uap-core's test cases is measured by a test and in `benchmarks.md`.
///
/// Real traffic repeats a few hundred user agents, so results are cached (bounded; the raw string
/// is kept in memory only, never written anywhere).
public final class UserAgentClassifier: Sendable {
    /// The version of these rules, recorded in every journal segment.
    public static let version = "infinity-ua/3"

    /// Every browser name reported (``UserAgentInfo/browser``); an unrecognised agent is `Other`.
    public static let browserNames: [String] = BrowserRules.names

    /// The families most traffic comes from, whose accuracy the tests measure.
    public static let browserFamilies: Set<String> = [
        "Chrome", "Safari", "Firefox", "Microsoft Edge", "Opera", "Opera Mini", "Samsung Internet", "UC Browser",
        "Yandex Browser", "Internet Explorer", "Android WebView", "Android Browser", "Brave", "Vivaldi",
        "DuckDuckGo", "Whale", "QQ Browser",
    ]
    /// Operating-system families the dashboard shows.
    public static let osFamilies: Set<String> = [
        "Windows", "macOS", "iOS", "iPadOS", "Android", "Linux", "ChromeOS", "Windows Phone",
    ]

    private let cache: BoundedCache<String, UserAgentInfo>

    /// A classifier caching up to `cacheLimit` distinct user agents.
    public init(cacheLimit: Int = 10_000) { cache = BoundedCache(limit: cacheLimit) }

    /// Classifies a user agent (cached).
    public func classify(_ userAgent: String) -> UserAgentInfo {
        cache.value(for: userAgent) { Self.classifyUncached(userAgent) }
    }

    /// Classifies without the cache.
    public static func classifyUncached(_ userAgent: String) -> UserAgentInfo {
        let ua = UserAgentText(userAgent)
        let (os, osVersion) = OSRules.detect(ua)
        let device = DeviceRules.detect(ua, os: os)
        // Bots and app clients have no browser family: their hits are dropped, and their tokens
        // often imitate a browser.
        let kind = BotRules.kind(ua)
        if kind != .browser { return UserAgentInfo(os: os, osVersion: osVersion, device: device, kind: kind) }
        let (browser, browserVersion) = BrowserRules.detect(ua, os: os)
        return UserAgentInfo(
            browser: browser, browserVersion: browserVersion, os: os, osVersion: osVersion, device: device)
    }
}

/// A user agent prepared for token checks: the original and a lower-cased copy, as UTF-8 bytes.
struct UserAgentText {
    let original: [UInt8]
    let lower: [UInt8]

    init(_ text: String) {
        // Over-long user agents are cut: nothing useful sits past 1 KB, and checks stay bounded.
        var bytes = Array(text.utf8.prefix(1024))
        // Some clients send the agent form-encoded, with "+" for every space.
        if !bytes.contains(32) && bytes.contains(43) { bytes = bytes.map { $0 == 43 ? 32 : $0 } }
        // Some proxies rewrite "Chrome/79" as "Chrome / 79": put the products back together.
        if bytes.count >= 3, UserAgentText.find([32, 47, 32], in: bytes) != nil {
            var joined: [UInt8] = []
            joined.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if index + 2 < bytes.count, bytes[index] == 32, bytes[index + 1] == 47, bytes[index + 2] == 32 {
                    joined.append(47)
                    index += 3
                } else {
                    joined.append(bytes[index])
                    index += 1
                }
            }
            bytes = joined
        }
        original = bytes
        lower = original.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    var isEmpty: Bool { original.allSatisfy { $0 == 32 } }

    /// Where `token` (case-sensitive) starts, if present.
    func find(_ token: String) -> Int? { Self.find(Array(token.utf8), in: original) }
    /// Whether the lower-cased agent contains `token` (give it lower-case).
    func containsLower(_ token: String) -> Bool { Self.find(Array(token.utf8), in: lower) != nil }
    /// Whether the lower-cased agent contains one of `tokens` (lower-case bytes).
    func containsLower(anyOf tokens: [[UInt8]]) -> Bool { tokens.contains { Self.find($0, in: lower) != nil } }
    /// Whether the lower-cased agent starts with one of `tokens` (lower-case bytes).
    func startsLower(withAnyOf tokens: [[UInt8]]) -> Bool { tokens.contains { lower.starts(with: $0) } }
    /// Whether the lower-cased agent contains `word` as a whole word (no letter right before or
    /// after it, except that a word may end a longer one: `Googlebot`, `AhrefsBot`).
    func containsLowerWord(_ word: String) -> Bool {
        let needle = Array(word.utf8)
        var from = 0
        while from + needle.count <= lower.count,
            let found = Self.find(needle, in: lower, from: from)
        {
            let end = found + needle.count
            let letterAfter = end < lower.count && Self.isLetter(lower[end])
            if !letterAfter { return true }
            from = found + 1
        }
        return false
    }

    /// Whether the agent contains something shaped like an e-mail address (`name@host.tld`).
    var containsEmailAddress: Bool {
        guard let at = original.firstIndex(of: 64), at > 0, at + 1 < original.count else { return false }
        // The host: letters, digits, dots and dashes, ending in a dot and a name of 2+ letters.
        let host = original[(at + 1)...].prefix { Self.isLetter($0) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 }
        guard let dot = host.lastIndex(of: 46) else { return false }
        let topLevel = host[(dot + 1)...]
        return Self.isLetter(original[at - 1]) && topLevel.count >= 2 && topLevel.allSatisfy(Self.isLetter)
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) }

    /// Whether `prefix` (case-sensitive) appears followed by a digit.
    func containsFollowedByDigit(_ prefix: String) -> Bool {
        let needle = Array(prefix.utf8)
        var from = 0
        while let found = Self.find(needle, in: original, from: from) {
            let end = found + needle.count
            if end < original.count, original[end] >= 48, original[end] <= 57 { return true }
            from = found + 1
        }
        return false
    }

    /// Whether a word (after a space, `;`, `(`, `_` or `-`, or at the start) starts with
    /// `prefix` (case-sensitive).
    func hasWord(startingWith prefix: String) -> Bool {
        let needle = Array(prefix.utf8)
        var from = 0
        while let found = Self.find(needle, in: original, from: from) {
            if found == 0 || [32, 59, 40, 95, 45, 44].contains(original[found - 1]) { return true }
            from = found + 1
        }
        return false
    }

    /// Whether `prefix` starting a word is followed by `length` upper-case letters (`KFTT`).
    func containsUppercaseRun(after prefix: String, length: Int) -> Bool {
        let needle = Array(prefix.utf8)
        var from = 0
        while let found = Self.find(needle, in: original, from: from) {
            let start = found + needle.count
            if start + length <= original.count,
                original[start..<(start + length)].allSatisfy({ $0 >= 65 && $0 <= 90 }),
                found == 0 || [32, 59, 40].contains(original[found - 1])
            {
                return true
            }
            from = found + 1
        }
        return false
    }

    /// Whether the agent contains `token` (case-sensitive).
    func contains(_ token: String) -> Bool { find(token) != nil }

    /// The version right after `token` (e.g. `Chrome/` → `131.0.1`), up to `parts` dot-separated
    /// numbers; `separator` turns `_` into `.` for Apple's `OS 17_4`.
    func version(after token: String, parts: Int = 1) -> String? {
        guard let start = find(token) else { return nil }
        return Self.version(in: original, from: start + token.utf8.count, parts: parts)
    }

    static func version(in bytes: [UInt8], from start: Int, parts: Int) -> String? {
        var index = start
        var result: [UInt8] = []
        var part = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                result.append(byte)
            } else if (byte == 46 || byte == 95) && !result.isEmpty && result.last != 46 {
                part += 1
                if part >= parts { break }
                result.append(46)
            } else {
                break
            }
            index += 1
        }
        while result.last == 46 { result.removeLast() }
        return result.isEmpty ? nil : String(decoding: result, as: UTF8.self)
    }

    /// Where `needle` first starts in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
