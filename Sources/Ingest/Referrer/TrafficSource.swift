import Journal

/// Where a visit came from: the source name and the marketing channel, from the referrer and the
/// landing URL's campaign parameters. Campaign parameters win over the referrer.
public struct TrafficSource: Sendable, Hashable {
    /// The source shown on the dashboard (e.g. `Google`, `Hacker News`, `newsletter`), empty for direct.
    public var source: String
    /// The referrer reduced to host + path, or empty.
    public var referrer: String
    /// The marketing channel.
    public var channel: Channel

    /// Video platforms among the social networks.
    static let video: Set<String> = [
        "YouTube", "Vimeo", "Twitch", "Dailymotion", "Youku", "bilibili", "Rumble", "Kick", "Odysee", "Niconico",
    ]
    static let paidMedia: Set<String> = [
        "cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "cpm", "cpv", "cpa", "display", "banner",
        "retargeting", "paidsocial", "paid_social", "paid-social", "ads", "ad",
    ]
    /// Common short campaign sources and what they mean.
    static let campaignSources: [String: (String, ReferrerList.Kind)] = [
        "google": ("Google", .search), "bing": ("Bing", .search), "duckduckgo": ("DuckDuckGo", .search),
        "facebook": ("Facebook", .social), "fb": ("Facebook", .social), "instagram": ("Instagram", .social),
        "ig": ("Instagram", .social), "twitter": ("Twitter", .social), "x": ("Twitter", .social),
        "linkedin": ("LinkedIn", .social), "reddit": ("Reddit", .social), "youtube": ("YouTube", .social),
        "tiktok": ("TikTok", .social), "chatgpt": ("ChatGPT", .ai), "chatgpt.com": ("ChatGPT", .ai),
        "perplexity": ("Perplexity", .ai), "hn": ("Hacker News", .social), "hackernews": ("Hacker News", .social),
    ]

    /// Classifies a visit. `referrerURL` is the raw referrer; `pageHost` is the landing page's host
    /// (a referrer on the same host is a self-referral and ignored).
    public static func classify(referrerURL: String?, pageHost: String, utm: UTM, refParameter: String) -> TrafficSource
    {
        classify(
            referrer: referrerURL.flatMap(PageURL.parseReferrer), pageHost: pageHost, utm: utm,
            refParameter: refParameter)
    }

    /// Classifies a visit whose referrer is already parsed.
    public static func classify(referrer parsedReferrer: PageURL?, pageHost: String, utm: UTM, refParameter: String)
        -> TrafficSource
    {
        var referrer = ""
        var referrerHost = ""
        if let parsed = parsedReferrer {
            let first = parsed.host.utf8.first ?? 0
            let numeric = (first >= 48 && first <= 57) || first == 91
            let local =
                parsed.host == "localhost" || parsed.host.hasSuffix(".localhost")
                || (numeric && IPAddress(parsed.host) != nil)
            if parsed.host != pageHost && !local {
                referrerHost = parsed.host
                referrer = parsed.host + (parsed.path == "/" ? "/" : parsed.path)
            }
        }
        let known = referrerHost.isEmpty ? nil : Self.lookup(referrerHost, path: parsedReferrer?.path ?? "/")
        let medium = utm.medium.lowercased()
        let campaignSource = utm.source.isEmpty ? refParameter : utm.source
        if !campaignSource.isEmpty {
            let key = campaignSource.lowercased()
            let named = campaignSources[key] ?? ReferrerList.shared.lookup(key).map { ($0.source, $0.kind) }
            let kind = named?.1 ?? known?.kind
            let source = named?.0 ?? campaignSource
            let channel: Channel
            if paidMedia.contains(medium) {
                channel = kind == .search ? .paidSearch : kind == .social ? .paidSocial : .paidOther
            } else if medium.containsBytes("mail") || key.containsBytes("newsletter") || key.containsBytes("mail") {
                channel = .email
            } else if let kind {
                channel = organic(kind, source: source)
            } else if medium == "social" {
                channel = .organicSocial
            } else {
                channel = .referral
            }
            return TrafficSource(source: source, referrer: referrer, channel: channel)
        }
        if let known {
            return TrafficSource(
                source: known.source, referrer: referrer, channel: organic(known.kind, source: known.source))
        }
        if !referrerHost.isEmpty {
            return TrafficSource(source: referrerHost, referrer: referrer, channel: .referral)
        }
        return TrafficSource(source: "", referrer: "", channel: medium.containsBytes("mail") ? .email : .direct)
    }

    private static func organic(_ kind: ReferrerList.Kind, source: String) -> Channel {
        switch kind {
        case .search: .organicSearch
        case .social: video.contains(source) ? .organicVideo : .organicSocial
        case .ai: .aiAssistant
        case .email: .email
        case .paid: .paidOther
        case .paidSearch: .paidSearch
        case .referral: .referral
        }
    }

    /// Host prefixes of webmail: a link clicked in a mail read in the browser (`owa.` is Outlook on
    /// the web on an organisation's own server).
    static let webmailPrefixes = [
        "mail.", "webmail.", "webmail2.", "email.", "mail2.", "mailbusiness.", "lightmailer", "deref-", "e.mail.",
        "m.mail.", "mailbox.", "owa.",
    ]

    /// Path prefixes of webmail software installed on any host: Outlook on the web, Roundcube,
    /// SquirrelMail, Horde (its mail, not any `/horde/` page), RainLoop and SnappyMail (lower-case).
    static let webmailPaths = [
        "/webmail", "/owa/", "/roundcube", "/squirrelmail", "/horde/imp", "/rainloop", "/snappymail",
    ]

    /// What a referrer is: a known entry, webmail by the shape of its host or path, or an Android
    /// app by its package name.
    static func lookup(_ host: String, path: String) -> ReferrerList.Entry? {
        let entry = hosts.value(for: host) { Self.entry(host) }
        if entry?.kind != .email && isWebmailPath(path) {
            return ReferrerList.Entry(kind: .email, source: entry?.source ?? host)
        }
        return entry
    }

    static func isWebmailPath(_ path: String) -> Bool {
        guard path.utf8.count > 4 else { return false }
        let lower = path.utf8.prefix(13).contains { $0 >= 65 && $0 <= 90 } ? path.lowercased() : path
        return webmailPaths.contains { lower.hasPrefix($0) }
    }

    /// Host verdicts, remembered: the hot path sees the same few hundred referrer hosts.
    private static let hosts = BoundedCache<String, ReferrerList.Entry?>(limit: 10_000)

    private static func entry(_ host: String) -> ReferrerList.Entry? {
        // Webmail first: mail.yahoo.com is mail, though yahoo.com is a search engine.
        if let known = ReferrerList.shared.lookupExact(host), known.kind == .email { return known }
        if webmailPrefixes.contains(where: { host.hasPrefix($0) }) || host.containsBytes("webmail") {
            return ReferrerList.Entry(kind: .email, source: ReferrerList.shared.lookup(host)?.source ?? host)
        }
        if let known = ReferrerList.shared.lookup(host) { return known }
        // An Android app's package name (android-app://com.example.app): mail apps are e-mail,
        // others are the site of the reversed domain (com.facebook.lite is facebook.com's). Search
        // companies make many apps besides search (com.google.android.apps.maps): their apps count
        // as search only when named for it (com.yandex.searchapp, com.baidu.searchbox).
        let labels = host.split(separator: ".")
        if labels.count >= 3, ["com", "org", "net", "io", "app", "co", "de", "ru", "jp", "me"].contains(labels[0]) {
            if host.containsBytes("mail") || labels.last == "gm" {
                return ReferrerList.Entry(kind: .email, source: host)
            }
            if let site = ReferrerList.shared.lookup(labels[1] + "." + labels[0]),
                site.kind != .search || host.containsBytes("search")
            {
                return site
            }
        }
        return nil
    }
}
