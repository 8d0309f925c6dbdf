/// Crawlers, HTTP libraries and scripts, monitors, scanners, feed readers, link previewers and
/// headless browsers (bots), and apps' own HTTP clients (app clients).
///
/// Four kinds of evidence, each from public facts: the crawler names of crawler-user-agents
/// (``CrawlerList``); the tokens below, for tools and services that list lacks; the signs every
/// automated client shows and no browser does (a URL or e-mail address to contact, a bare
/// `Mozilla/5.0`, `compatible;` without a browser engine); and, for agents that do not start like
/// a browser, the absence of any phone, platform or browser marker.
enum BotRules {
    /// Lower-case tokens of automated clients, found anywhere.
    static let tokens = [
        "crawl", "spider", "slurp", "scrap", "headless", "phantomjs", "selenium", "webdriver", "puppeteer",
        "playwright", "lighthouse", "pagespeed", "gtmetrix", "pingdom", "uptime", "statuscake", "site24x7",
        "newrelic", "datadog", "checkly", "python-", "python/", "go-http-client", "okhttp", "libwww", "lwp::",
        "httpclient", "http_request", "http-request", "axios/", "node-fetch", "undici", "aiohttp", "httpx",
        "guzzle", "rest-client", "reqwest", "postman", "insomnia", "powershell", "winhttp", "facebookexternalhit",
        "facebookcatalog", "meta-externalagent", "whatsapp/", "embedly", "outbrain", "quora link",
        "skypeuripreview", "vkshare", "ia_archiver", "archive.org", "feedfetcher", "feedly", "feedburner",
        "feedparser", "feed-parser", "fetcher", "rss reader", "rssreader", "newsblur", "inoreader", "tiny tiny rss",
        "mediapartners-google", "adsbot", "apis-google", "google-inspectiontool", "google-read-aloud",
        "googleother", "google-extended", "appengine-google", "google favicon", "google web preview",
        "googlesecurityscanner", "bingpreview", "yahoo! slurp", "yahoocachesystem", "baiduspider", "yandexmetrika",
        "sogou", "exabot", "semrush", "ahrefs", "mj12", "dataforseo", "serpstat", "zgrab", "masscan", "nmap",
        "nikto", "sqlmap", "httrack", "validator", "check_http", "nagios", "zabbix", "prometheus", "blackbox exporter",
        "cloudflare-", "amazon cloudfront", "amazon-route53", "health-check", "healthcheck", "chatgpt-user",
        "perplexity", "anthropic", "claude-web", "cohere-ai", "diffbot", "scrapy", "heritrix", "nutch", "larbin",
        "htdig", "grub-client", "findlinks", "urlgrabber", "rclone", "s3fs", "aws-sdk", "minio", "rusoto", "lftp",
        "apache-httpclient", "unirest", "scalaj", "lua-resty", "http.rb", "go-resty", "ureq/", "webcapture",
        "linkcheck", "link sleuth", "linkchecker", "linkwalker", "analyzer", "qualys", "openvas", "nessus", "ruxit",
        "webpagetest", "synthetic", "gomezagent", "imageproxy", "rivaliq", "ptst/", "catchpoint", "datanyze",
        "apachebench", "arachni", "expanse, a palo alto", "censys", "shodan", "netcraft", "internetarchive",
        "archiver", "indexer", "thumbnail", "screenshot", "prerender", "preview", "unfurl", "metainspector",
        "wappalyzer", "builtwith", "ask jeeves", "teoma", "dnsscanner", "scanner", "tlsprober", "probe", "sucuri",
        "wordfence", "jetpack", "wp-cron", "wordpress/", "drupal", "joomla", "cfnetwork/", "libcurl", "curl/",
        "wget", "jakarta", "mechanize", "httpie", "http4s", "hackney",
        "faraday", "typhoeus", "excon", "restsharp", "cpp-httplib", "libsoup", "nsurlsession", "urlsession",
        "alamofire", "dart:io", "okio", "retrofit", "apachehttpclient", "k6/", "cypress/", "locust", "jmeter",
        "gatling",
        "siege/", "wrk/", "hey/", "vegeta", "artillery", "bombardier", "loader.io", "blazemeter",
        "yeti/", "daum/", "qwantify", "genieo", "bubing", "ichiro", "pompos", "xenu", "bloglovin", "boardreader",
        "special_archiver", "moatbot", "fake_user_agent", "user agent", "useragent", "user-agent",
        // Windows versions that never existed (after NT 6.3 came 10.0): made-up agents of scrapers.
        "windows nt 7.", "windows nt 8.", "windows nt 9.",
    ]

    /// Tokens that count only as a whole word (not inside a longer one): `bot` is not in
    /// "Caboto", `ruby` not in "rubyplus".
    static let words = ["bot", "bots", "curl", "python"]

    /// Lower-case starts of HTTP libraries' and runtimes' agents (`Java/1.8.0`, `PHP/8.2`): inside
    /// an agent these names are often a phone's Java runtime, not a script.
    static let starts = [
        "java", "php", "perl", "ruby", "python", "node", "deno", "bun/", "go ", "go/", "rust", "dart", "libwww", "lwp",
        "winhttp", "powershell", "okhttp", "axios", "got ", "got/", "request", "http", "fetch", "client", "test",
        "check", "monitor", "scan", "crawler", "agent", "robot", "spider", "search", "index", "feed", "rss",
    ]

    /// Markers of real phones, platforms and browsers in agents that do not start with
    /// `Mozilla/` (feature phones, WAP browsers, old Opera, platform apps).
    static let deviceMarkers = [
        "opera", "midp", "cldc", "profile/", "up.browser", "up.link", "nokia", "sonyericsson", "samsung", "lg-",
        "lge", "mot-", "motorola", "blackberry", "android", "iphone", "ipad", "ipod", "ios", "darwin", "windows",
        "symbian", "series40", "series60", "series30", "s60", "brew", "obigo", "netfront", "openwave", "dolfin",
        "jasmine", "ucweb", "ucbrowser", "mqqbrowser", "j2me", "huawei", "zte", "alcatel", "htc", "lenovo", "xiaomi",
        "vodafone", "wap", "teleca", "polaris", "onebrowser", "bada", "tizen", "linux", "sharp", "sanyo", "kddi",
        "docomo", "softbank", "philips", "sagem", "siemens", "sie-", "panasonic", "benq", "kyocera", "pantech",
        "micromax", "spice", "karbonn", "lava", "maemo", "meego", "sailfish", "kaios", "playstation", "nintendo",
        "xbox", "x11", "bsd", "mosaic", "smart-tv", "smarttv", "hbbtv", "webos", "roku", "apple tv", "appletv", "watch",
        "elinks", "lynx",
        "links (", "w3m", "dillo", "netsurf", "amaya", "browser", "safari", "chrome", "firefox", "gecko", "webkit",
        "msie", "presto", "konqueror", "iemobile", "mobile", "phone", "tablet", "dalvik", "instagram", "fban",
        "fbav", "bingweb", "ucmobile", "dv(", "wechat", "micromessenger", "weibo", "line/",
    ]

    /// Handset makers whose phones' agents start with their name and little else (`LG 245`,
    /// `Amoi-A310`, `SonyC1505 Build/…`).
    static let handsetMakers = [
        "lg", "amoi", "bird", "asus", "acer", "haier", "audiovox", "kwc", "sony", "samsung", "nokia", "htc",
        "huawei", "zte", "alcatel", "motorola", "mot-", "sagem", "sharp", "sanyo", "panasonic", "philips", "siemens",
        "sie-", "benq", "kyocera", "pantech", "lenovo", "xiaomi", "oppo", "vivo", "gionee", "micromax", "lava",
        "karbonn", "spice", "celkon", "tecno", "itel", "infinix", "lumia", "gt-", "sm-", "sgh-", "sch-", "sph-",
        "sprint", "verizon", "vodafone", "t-mobile", "orange", "docomo", "kddi", "softbank", "blackberry", "palm",
        "dopod", "i-mate", "mitsubishi", "nec-", "toshiba", "ericsson", "telit", "vk", "qtek", "mio", "o2",
    ]

    /// Browser engines that may follow `compatible;` in a real browser's agent.
    static let compatibleBrowsers = [
        "msie", "trident", "konqueror", "iemobile", "opera", "netfront", "khtml", "windows ce", "blackberry",
        "symbian", "palm", "smartphone", "ppc", "ucweb", "polaris", "teleca", "obigo", "nokia", "midp", "cldc",
        "rim", "handhttp",
    ]

    // The lists as bytes, made once.
    static let tokenBytes = tokens.map { Array($0.utf8) }
    static let startBytes = starts.map { Array($0.utf8) }
    static let deviceMarkerBytes = deviceMarkers.map { Array($0.utf8) }
    static let handsetMakerBytes = handsetMakers.map { Array($0.utf8) }
    static let compatibleBrowserBytes = compatibleBrowsers.map { Array($0.utf8) }

    static func kind(_ ua: UserAgentText) -> UserAgentInfo.Kind {
        if ua.isEmpty { return .bot }
        let lower = ua.lower
        // Apps' own HTTP clients: Android's Dalvik and Apple's CFNetwork without a browser.
        if lower.starts(with: Array("dalvik".utf8)) { return .app }
        let mozilla = lower.starts(with: Array("mozilla/".utf8))
        if !mozilla && ua.containsLower("cfnetwork") && !ua.containsLower("safari") { return .app }
        // Text browsers name the libraries they are built on.
        // Links names itself "Links (2.29; …)" or "Links/0.98"; "LinksCrawler" is not it.
        if lower.starts(with: Array("lynx/".utf8)) || lower.starts(with: Array("links (".utf8))
            || lower.starts(with: Array("links/".utf8))
        {
            return .browser
        }
        if let index = tokenBytes.firstIndex(where: { UserAgentText.find($0, in: lower) != nil }) {
            // Safari's own networking (downloads, reading list) names CFNetwork.
            if !(tokens[index] == "cfnetwork/" && ua.containsLower("safari")) { return .bot }
        }
        if ua.startsLower(withAnyOf: startBytes) { return .bot }
        for word in words where ua.containsLowerWord(word) {
            if word == "bot" && ua.containsLower("cubot") { continue }  // a phone maker
            return .bot
        }
        if CrawlerList.shared.matches(lower) { return .bot }
        // A way to contact the operator: no browser sends one.
        if ua.containsLower("http://") || ua.containsLower("https://") || ua.containsLower("www.")
            || ua.containsLower("+http") || ua.containsEmailAddress
        {
            return .bot
        }
        if mozilla {
            // A bare "Mozilla/5.0", or one with nothing but a version or "(compatible)" after it.
            if !lower.contains(40) && !ua.containsLower(anyOf: deviceMarkerBytes) { return .bot }
            if ua.containsLower("compatible;") || ua.containsLower("compatible)") {
                if !ua.containsLower(anyOf: compatibleBrowserBytes) { return .bot }
            }
            return .browser
        }
        // Not shaped like a browser: a browser, phone or platform marker is needed.
        if ua.startsLower(withAnyOf: handsetMakerBytes) { return .browser }
        return ua.containsLower(anyOf: deviceMarkerBytes) ? .browser : .bot
    }
}
