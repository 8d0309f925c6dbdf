/// Crawlers, scripts, headless browsers, uptime monitors and link previewers.
enum BotRules {
    /// Lower-case tokens that mark an automated client.
    static let tokens = [
        "bot", "crawl", "spider", "slurp", "scrap", "headless", "phantomjs", "selenium", "webdriver", "puppeteer",
        "playwright", "lighthouse", "pagespeed", "gtmetrix", "pingdom", "uptime", "monitor", "statuscake",
        "site24x7", "newrelic", "datadog", "checkly", "curl", "wget", "python", "go-http-client", "java/", "okhttp",
        "libwww", "lwp::", "httpclient", "http_request", "axios", "node-fetch", "undici", "got (", "aiohttp",
        "httpx", "guzzle", "ruby", "perl/", "php/", "rest-client", "reqwest", "postman", "insomnia", "powershell",
        "winhttp", "facebookexternalhit", "facebookcatalog", "meta-externalagent", "whatsapp", "preview", "embedly",
        "outbrain", "quora link", "skypeuripreview", "vkshare", "ia_archiver", "archive.org", "feedfetcher",
        "feedly", "mediapartners-google", "adsbot", "apis-google", "google-inspectiontool", "google-read-aloud",
        "googleother", "google-extended", "bingpreview", "yahoo! slurp", "baiduspider", "yandexmetrika", "sogou",
        "exabot", "semrush", "ahrefs", "mj12", "dataforseo", "serpstat", "zgrab", "masscan", "nmap", "nikto",
        "sqlmap", "httrack", "wordpress", "validator", "check_http", "nagios", "zabbix", "prometheus",
        "cloudflare-", "amazon cloudfront", "chatgpt-user", "perplexity", "anthropic", "cohere-ai", "diffbot",
        "scrapy", "heritrix", "nutch", "larbin", "htdig", "grub-client", "findlinks", "fetch", "urlgrabber",
        "rclone", "s3fs", "aws-sdk", "minio", "rusoto", "lftp", "cfnetwork", "dalvik", "apache-httpclient",
        "unirest", "scalaj", "lua-resty", "http.rb", "go-resty", "ureq", "webcapture", "seeker", "linkcheck",
        "analyzer", "ping-", "qualys", "openvas", "nessus", "ruxit", "webpagetest", "synthetic", "lycos",
        "scooter", "gomezagent", "imageproxy", "rivaliq", "ptst/", "catchpoint", "datanyze",
    ]

    static func isBot(_ ua: UserAgentText) -> Bool {
        if ua.isEmpty { return true }
        // A browser needs a "Mozilla/" or "Opera" start; a bare library name is a script.
        for token in tokens where ua.containsLower(token) {
            // Phones named "Cubot" and the "Bot" in "Robot Framework"-free browsers are not bots.
            if token == "bot" && ua.containsLower("cubot") && !ua.containsLower("bot/") { continue }
            // Safari's own download agent names CFNetwork, like apps' background fetches do.
            if token == "cfnetwork" && ua.original.starts(with: Array("Safari".utf8)) { continue }
            return true
        }
        return false
    }
}
