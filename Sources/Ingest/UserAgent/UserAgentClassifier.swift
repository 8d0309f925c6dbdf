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
    public static let version = "infinity-ua/1"

    /// Browser families the dashboard shows; everything else is reported under its own name.
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
        // A bot has no browser family: its hits are dropped, and its tokens often imitate a browser.
        if BotRules.isBot(ua) { return UserAgentInfo(os: os, osVersion: osVersion, device: device, isBot: true) }
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
        original = bytes
        lower = original.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    }

    var isEmpty: Bool { original.allSatisfy { $0 == 32 } }

    /// Where `token` (case-sensitive) starts, if present.
    func find(_ token: String) -> Int? { Self.find(Array(token.utf8), in: original) }
    /// Whether the lower-cased agent contains `token` (give it lower-case).
    func containsLower(_ token: String) -> Bool { Self.find(Array(token.utf8), in: lower) != nil }
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

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var i = 0
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
