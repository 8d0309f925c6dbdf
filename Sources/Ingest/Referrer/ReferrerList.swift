/// Known referrer hosts: search engines, social networks and AI assistants, with their names.
struct ReferrerList: Sendable {
    /// What kind of site a known referrer is.
    enum Kind: String, Sendable {
        case search, social, ai, email
        /// An ad network's click host: the visit came from a paid ad.
        case paid
        /// A search engine's ad clicks (Google Ads): a paid search ad.
        case paidSearch = "paid-search"
        /// A known site's service that is not its search or network (Google Docs): a referral.
        case referral
    }

    struct Entry: Sendable {
        let kind: Kind
        let source: String
    }

    /// Exact hosts.
    private let exact: [String: Entry]
    /// Hosts written with `{}` for any top-level domain, stored without it (`google.` for `google.{}`).
    private let anyTLD: [String: Entry]

    static let shared = ReferrerList(additions + "\n" + data)
    private let memo = BoundedCache<String, Entry?>(limit: 10_000)

    init(_ text: String) {
        var exact: [String: Entry] = [:]
        var anyTLD: [String: Entry] = [:]
        // One spelling per source, the first met (the additions', then the list's): "Reddit" and
        // "reddit" would be two rows of the same source on the dashboard.
        var spellings: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 2)
            guard parts.count == 3, let kind = Kind(rawValue: String(parts[1])) else { continue }
            let name = String(parts[2])
            let source = spellings[name.lowercased(), default: name]
            spellings[name.lowercased()] = source
            let entry = Entry(kind: kind, source: source)
            let host = String(parts[0])
            if host.hasSuffix(".{}") {
                anyTLD[String(host.dropLast(2)), default: entry] = anyTLD[String(host.dropLast(2))] ?? entry
            } else if host.hasPrefix("{}."), !host.dropFirst(3).contains("{}") {
                // "{}.bing.com": any subdomain, which the parent-domain lookup already covers.
                let parent = String(host.dropFirst(3))
                exact[parent] = exact[parent] ?? entry
            } else if !host.contains("{}") {
                exact[host] = exact[host] ?? entry
            }
        }
        self.exact = exact
        self.anyTLD = anyTLD
    }

    /// The entry for a host (lower-case, without `www.`): the host itself, then its parent domains,
    /// then the same with any top-level domain.
    func lookup(_ host: String) -> Entry? {
        memo.value(for: host) { find(host) }
    }

    /// The entry for exactly this host (or a parent domain) among the exact hosts, without the
    /// any-top-level-domain patterns.
    func lookupExact(_ host: String) -> Entry? {
        let labels = host.split(separator: ".")
        guard labels.count >= 2 else { return nil }
        for start in 0..<(labels.count - 1) {
            if let entry = exact[labels[start...].joined(separator: ".")] { return entry }
        }
        return nil
    }

    private func find(_ host: String) -> Entry? {
        let labels = host.split(separator: ".")
        guard labels.count >= 2 else { return nil }
        for start in 0..<(labels.count - 1) {
            if let entry = exact[labels[start...].joined(separator: ".")] { return entry }
        }
        // `google.{}` matches google.de and google.co.uk, not google.example.com or the package name
        // com.google.android.apps.maps: what follows the name must be a top-level domain.
        for start in 0..<(labels.count - 1) {
            for end in (start + 1)..<labels.count where Self.isTopLevel(labels[end...]) {
                if let entry = anyTLD[labels[start..<end].joined(separator: ".") + "."] { return entry }
            }
        }
        return nil
    }

    /// Second-level labels under which countries register names (`co.uk`, `com.br`, `ne.jp`).
    static let registrySecondLevels: Set<Substring> = [
        "co", "com", "net", "org", "ac", "edu", "gov", "gob", "go", "ne", "or", "mil", "nic", "biz", "info",
    ]

    /// Whether labels are a top-level domain: one label, or a registry's second level and a country
    /// code (`co.uk`).
    static func isTopLevel(_ labels: ArraySlice<Substring>) -> Bool {
        switch labels.count {
        case 1: true
        case 2: registrySecondLevels.contains(labels[labels.startIndex]) && labels.last?.count == 2
        default: false
        }
    }
}

/// Referrer-spam hosts; a referrer on one of them (or a subdomain) drops the hit.
struct SpamList: Sendable {
    private let hosts: Set<String>

    static let shared = SpamList(data)
    private let memo = BoundedCache<String, Bool>(limit: 10_000)

    init(_ text: String) { hosts = Set(text.split(separator: "\n").map(String.init)) }

    func contains(_ host: String) -> Bool {
        memo.value(for: host) { find(host) }
    }

    private func find(_ host: String) -> Bool {
        var labels = host.split(separator: ".")[...]
        while labels.count >= 2 {
            if hosts.contains(labels.joined(separator: ".")) { return true }
            labels = labels.dropFirst()
        }
        return false
    }
}
