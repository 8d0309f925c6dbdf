extension PageURL {
    /// A referrer as browsers send it (an absolute URL), or as people and other tools write one:
    /// without a scheme (`www.google.com/search`) or protocol-relative (`//t.co/x`), read as https.
    /// Anything else that is not an http(s) URL (`-`, `(direct)`, `file:///…`) is no referrer.
    public static func parseReferrer(_ text: String) -> PageURL? {
        if let url = parse(text, hashRouting: false) { return url }
        if text.isEmpty { return nil }  // no referrer, the common case
        if text.hasPrefix("//") { return parse("https:" + text, hashRouting: false) }
        guard looksLikeHost(text.utf8.prefix { $0 != UInt8(ascii: "/") }) else { return nil }
        return parse("https://" + text, hashRouting: false)
    }

    /// Whether `start` is a host name with a dot in it, and perhaps a port: `example.com:8080`.
    private static func looksLikeHost(_ start: Substring.UTF8View) -> Bool {
        var labels = start.split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false)
        if labels.count == 2 {
            guard !labels[1].isEmpty, labels[1].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
            labels.removeLast()
        }
        guard let host = labels.first, let first = host.first, host.contains(UInt8(ascii: ".")) else { return false }
        return isAlphanumeric(first) && host.allSatisfy { isAlphanumeric($0) || $0 == 46 || $0 == 45 }
    }
}
