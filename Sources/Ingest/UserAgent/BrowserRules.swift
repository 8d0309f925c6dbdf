/// Browser family and major version.
enum BrowserRules {
    /// A token that names a browser or app, what to call it, and where its version is.
    struct Rule {
        let token: String
        let family: String
        let versionAfter: String?

        init(_ token: String, _ family: String, version: String? = nil) {
            self.token = token
            self.family = family
            self.versionAfter = version
        }
    }

    /// Apps and browsers that embed or imitate Chrome, Safari or Firefox, checked before the
    /// families so they are not counted as those. Most are reported under their own name.
    static let rules: [Rule] = [
        // In-app browsers of social and messaging apps.
        Rule("FBAN/", "Facebook"), Rule("FBAV/", "Facebook"), Rule("FB_IAB", "Facebook"), Rule("FBIOS", "Facebook"),
        Rule("Instagram", "Instagram"), Rule("Pinterest", "Pinterest"), Rule("Twitter for", "Twitter"),
        Rule("TwitterAndroid", "Twitter"), Rule("Snapchat", "Snapchat"), Rule("Line/", "LINE"),
        Rule("KAKAOTALK", "KakaoTalk"), Rule("MicroMessenger", "WeChat"), Rule("Weibo", "Weibo"),
        Rule("musical_ly", "TikTok"), Rule("BytedanceWebview", "TikTok"), Rule("TikTok", "TikTok"),
        Rule("Telegram", "Telegram"), Rule("Messenger", "Facebook Messenger"), Rule("LinkedInApp", "LinkedIn"),
        Rule("Flipboard", "Flipboard"), Rule("Snapchat", "Snapchat"), Rule("GSA/", "Google"),
        Rule("NewsArticle", "TopBuzz"), Rule("TopBuzz", "TopBuzz"), Rule("Spotify", "Spotify"),
        Rule("Roblox", "Roblox"), Rule("Steam", "Steam"), Rule("ESPN", "ESPN"), Rule("Pandora", "Pandora"),
        Rule("ArcGIS", "ArcGIS"), Rule("Collector", "ArcGIS"), Rule("Outlook", "Outlook"),
        Rule("Thunderbird", "Thunderbird"),
        Rule("Electron/", "Electron"), Rule("Slack", "Slack"), Rule("Discord", "Discord"), Rule("Teams/", "Teams"),
        Rule("OBS/", "OBS Studio"), Rule("Qt/", "Qt"), Rule("QtWebEngine", "Qt Web Engine"),
        Rule("Luminary", "Luminary"), Rule("Otter", "Otter"), Rule("Vagabondo", "Vagabondo"),
        Rule("Chesscom", "Chess.com"), Rule("BoxNotes", "Box"), Rule("Box Sync", "Box"), Rule("iRAPP", "iRAPP"),
        Rule("WordPress", "WordPress"), Rule("Instabridge", "Instabridge"), Rule("Nextcloud", "Nextcloud"),
        Rule("AncestryAndroid", "Ancestry"), Rule("Airmail", "Airmail"), Rule("Apple Watch", "Apple Watch App"),
        Rule("Ecosia", "Ecosia"),
        // Browsers that are not among the dashboard's families.
        Rule("Puffin", "Puffin"), Rule("Dolphin", "Dolphin"), Rule("Maxthon", "Maxthon"), Rule("MxBrowser", "Maxthon"),
        Rule("Iron/", "Iron"), Rule("Iron Safari", "Iron"), Rule("AvastSecureBrowser", "Avast Secure Browser"),
        Rule("AVG", "AVG Secure Browser"), Rule("AlohaBrowser", "Aloha Browser"), Rule("coc_coc_browser", "Coc Coc"),
        Rule("HeyTapBrowser", "HeyTap Browser"), Rule("HonorBrowser", "Honor Browser"), Rule("HiBrowser", "HiBrowser"),
        Rule("VivoBrowser", "Vivo Browser"), Rule("SLBrowser", "Smart Lenovo Browser"),
        Rule("QihooBrowser", "360 Browser"),
        Rule("360SE", "360 Browser"), Rule("360EE", "360 Browser"), Rule("baidubrowser", "Baidu Browser"),
        Rule("BIDUBrowser", "Baidu Browser"), Rule("baiduboxapp", "Baidu Browser"), Rule("BaiduHD", "Baidu Browser"),
        Rule("MiuiBrowser", "MIUI Browser"), Rule("HuaweiBrowser", "Huawei Browser"), Rule("Sleipnir", "Sleipnir"),
        Rule("Silk/", "Amazon Silk"), Rule("PaleMoon", "Pale Moon"), Rule("Waterfox", "Waterfox"),
        Rule("SeaMonkey", "SeaMonkey"), Rule("Midori", "Midori"), Rule("Konqueror", "Konqueror"),
        Rule("Epiphany", "Epiphany"), Rule("Falkon", "Falkon"), Rule("QupZilla", "QupZilla"), Rule("Camino", "Camino"),
        Rule("Iceweasel", "Iceweasel"), Rule("IceCat", "IceCat"), Rule("K-Meleon", "K-Meleon"),
        Rule("Conkeror", "Conkeror"),
        Rule("NetFront", "NetFront"), Rule("Obigo", "Obigo"), Rule("NokiaBrowser", "Nokia Browser"),
        Rule("BrowserNG", "Nokia Browser"), Rule("OviBrowser", "Ovi Browser"), Rule("Series40", "Nokia Browser"),
        Rule("BlackBerry", "BlackBerry WebKit"), Rule("BB10", "BlackBerry WebKit"),
        Rule("PlayBook", "BlackBerry WebKit"),
        Rule("Kindle/", "Kindle"), Rule("OculusBrowser", "Oculus Browser"), Rule("Opera Tablet", "Opera Tablet"),
        Rule("MQQBrowser/Mini", "QQ Browser Mini"), Rule("QIHU", "360 Browser"), Rule("PlayStation", "PlayStation"),
        Rule("Nintendo", "Nintendo Browser"),
        Rule("Roku", "Roku"), Rule("OculusBrowser", "Oculus Browser"),
        Rule("SamsungBrowser/", "Samsung Internet", version: "SamsungBrowser/"),
        Rule("Avant Browser", "Avant Browser"), Rule("Lunascape", "Lunascape"), Rule("Sogou", "Sogou Explorer"),
        Rule("SE 2.X", "Sogou Explorer"), Rule("LBBROWSER", "Liebao"), Rule("TheWorld", "TheWorld"),
        Rule("2345Explorer", "2345 Explorer"), Rule("Quark", "Quark"), Rule("Mint Browser", "Mint Browser"),
        Rule("Phoenix", "Phoenix Browser"), Rule("ONE Browser", "ONE Browser"),
        Rule("Opera Touch", "Opera", version: "OPT/"),
        Rule("Crosswalk", "Crosswalk"), Rule("Seznam", "Seznam"), Rule("Ladybird", "Ladybird"),
        Rule("Camoufox", "Camoufox"),
        Rule("Mypal", "Mypal"), Rule("Sailfish", "Sailfish Browser"), Rule("Rekonq", "Rekonq"),
        Rule("qutebrowser", "qutebrowser"),
        Rule("Vewd", "Vewd Browser"), Rule("Viera", "Viera"), Rule("SmartLenovo", "Smart Lenovo Browser"),
        Rule("Cốc Cốc", "Coc Coc"), Rule("Mb2345Browser", "2345 Browser"),
        Rule("UBrowser", "UC Browser", version: "UBrowser/"),
        Rule("Chromium/", "Chromium", version: "Chromium/"), Rule("AdobeAIR", "AdobeAIR"), Rule("Adobe", "Adobe"),
        Rule("WebKit Nightly", "WebKit Nightly"), Rule("Config/", "Config"), Rule("Steeler", "Steeler"),
        Rule("MSOffice", "Outlook"), Rule("AOL ", "AOL"), Rule("chromeframe/", "Chrome Frame"),
        Rule("ZuneWP7", "IE Large Screen"),
        Rule("MRCHROME", "Mail.ru Chromium Browser"), Rule("MMS/", "Opera Neon"), Rule("Coast/", "Opera Coast"),
        Rule("Opera Tablet", "Opera Tablet"), Rule("BOLT/", "BOLT"), Rule("wOSBrowser", "webOS Browser"),
        Rule("webOS", "webOS Browser"), Rule("WeTab", "WeTab"), Rule("konqueror", "Konqueror"),
        Rule("rekonq", "Rekonq"),
        Rule("Valve Client", "Steam Client"), Rule("Comodo_Dragon", "Comodo Dragon"), Rule("Dragon/", "Dragon"),
        Rule("Skyfire", "Skyfire"), Rule("1Password", "1Password"), Rule("Datanyze", "Datanyze"),
        Rule("Catchpoint", "Catchpoint"),
    ]

    /// Product tokens (`Name/version` outside parentheses) that stock Chrome, Safari, Firefox, IE
    /// and the Android browser send.
    static let stockProducts: Set<String> = [
        "Mozilla", "AppleWebKit", "Chrome", "CriOS", "Safari", "Mobile", "Version", "Gecko", "Firefox", "FxiOS",
        "like", "Fennec", "Trident", "Edge", "MSIE", "Presto", "Opera", "CrMo", "GSA", "Focus", "Klar", "rv",
        "U", "(KHTML,", "KHTML,", "Gecko)", "compatible", "Build", "wv", "Ubuntu", "Fedora", "Debian", "Mint",
        "CentOS", "SUSE", "Linux", "Gentoo", "Large", "Screen", "Safari/537.36.", "GoogleTV", "CrKey", "DeviceType",
        "Mobile/", "AppleWebKit/", "X11;", "Mozilla/5.0", "Edg", "EdgA", "EdgiOS", "OPR", "YaBrowser",
    ]

    /// The first product token a stock browser would not send, as (name, major version).
    static func extraProduct(_ ua: UserAgentText) -> (String, String)? {
        var depth = 0
        var token: [UInt8] = []
        func check(_ token: [UInt8]) -> (String, String)? {
            guard !token.isEmpty else { return nil }
            let slash = token.firstIndex(of: 47) ?? token.count
            let name = String(decoding: token[..<slash], as: UTF8.self)
            guard !name.isEmpty, name.first!.isLetter || name.first!.isNumber, !stockProducts.contains(name) else {
                return nil
            }
            if name.hasPrefix("Firefox") { return nil }
            let version = UserAgentText.version(in: token, from: slash + 1, parts: 1) ?? ""
            return (name, version)
        }
        for byte in ua.original {
            switch byte {
            case 40:  // (
                if depth == 0, let found = check(token) { return found }
                token.removeAll()
                depth += 1
            case 41:  // )
                depth = max(0, depth - 1)
            case 32 where depth == 0:
                if let found = check(token) { return found }
                token.removeAll()
            default:
                if depth == 0 { token.append(byte) }
            }
        }
        return check(token)
    }

    static func detect(_ ua: UserAgentText, os: String) -> (String, String) {
        // Opera's and UC's own tokens are unambiguous, even inside other vendors' agents.
        if ua.contains("UCBrowser") || ua.contains("UCWEB") || ua.contains("UCMobile") {
            return (
                "UC Browser",
                ua.version(after: "UCBrowser/") ?? ua.version(after: "UCMobile/") ?? ua.version(after: "UCBrowser")
                    ?? ""
            )
        }
        if ua.contains("Opera Tablet") { return ("Opera Tablet", "") }
        if ua.contains("Opera Mini") || ua.contains("OPiOS") {
            return ("Opera Mini", ua.version(after: "Opera Mini/") ?? ua.version(after: "OPiOS/") ?? "")
        }
        if ua.contains("Opera Mobi") || ua.contains("Presto/") || ua.original.starts(with: Array("Opera/".utf8)) {
            return ("Opera", ua.version(after: "Version/") ?? ua.version(after: "Opera/") ?? "")
        }
        if os == "Symbian" { return ("Nokia Browser", "") }
        // Safari's own download agent on macOS.
        if ua.original.starts(with: Array("Safari/".utf8)) { return ("Safari", "") }
        // Apps and other browsers next: they often also carry a family's token (Edg/, SamsungBrowser/).
        for rule in rules where ua.contains(rule.token) {
            return (rule.family, rule.versionAfter.flatMap { ua.version(after: $0) } ?? "")
        }
        if ua.contains("AppleWebKit/"), let start = ua.find("AppleWebKit/") {
            // A WebKit nightly marks its engine version with a "+".
            var i = start + 12
            while i < ua.original.count, ua.original[i] == 46 || (ua.original[i] >= 48 && ua.original[i] <= 57) {
                i += 1
            }
            if i < ua.original.count, ua.original[i] == 43 { return ("WebKit Nightly", "") }
        }
        if let v = ua.version(after: "SamsungBrowser/") { return ("Samsung Internet", v) }
        if ua.contains("UCBrowser") || ua.contains("UCWEB") || ua.contains("UC Browser") || ua.contains("UCMobile") {
            return (
                "UC Browser",
                ua.version(after: "UCBrowser/") ?? ua.version(after: "UCMobile/") ?? ua.version(after: "UC Browser")
                    ?? ""
            )
        }
        if let v = ua.version(after: "YaBrowser/") ?? ua.version(after: "YaSearchBrowser/") {
            return ("Yandex Browser", v)
        }
        if ua.contains("Opera Mini") || ua.contains("OPiOS") {
            return ("Opera Mini", ua.version(after: "Opera Mini/") ?? ua.version(after: "OPiOS/") ?? "")
        }
        if let v = ua.version(after: "Edg/") ?? ua.version(after: "Edge/") ?? ua.version(after: "EdgA/")
            ?? ua.version(after: "EdgiOS/")
        {
            return ("Microsoft Edge", v)
        }
        if let v = ua.version(after: "OPR/") ?? ua.version(after: "OPRGX/") ?? ua.version(after: "OPT/")
            ?? ua.version(after: "OPX/")
        {
            return ("Opera", v)
        }
        if ua.contains("Opera") && !ua.contains("Opera Mini") {
            return (
                "Opera",
                ua.version(after: "Version/") ?? ua.version(after: "Opera/") ?? ua.version(after: "Opera ") ?? ""
            )
        }
        if let v = ua.version(after: "Vivaldi/") { return ("Vivaldi", v) }
        if ua.containsLower("brave") {
            return ("Brave", ua.version(after: "Brave/") ?? ua.version(after: "Chrome/") ?? "")
        }
        if let v = ua.version(after: "DuckDuckGo/") ?? ua.version(after: "Ddg/") { return ("DuckDuckGo", v) }
        if let v = ua.version(after: "Whale/") { return ("Whale", v) }
        if ua.contains("QQBrowser") || ua.contains("MQQBrowser") {
            return ("QQ Browser", ua.version(after: "MQQBrowser/") ?? ua.version(after: "QQBrowser/") ?? "")
        }
        // Past this point only the big engines' own names remain; a product token they do not send
        // means another app or browser built on them.
        if let v = ua.version(after: "IEMobile/") ?? ua.version(after: "IEMobile ") { return ("Internet Explorer", v) }
        if let v = ua.version(after: "MSIE ") { return ("Internet Explorer", v) }
        if ua.contains("Trident/") { return ("Internet Explorer", ua.version(after: "rv:") ?? "") }
        if let other = extraProduct(ua) { return other }
        if let v = ua.version(after: "FxiOS/") ?? ua.version(after: "Firefox/") ?? ua.version(after: "Fennec/") {
            return ("Firefox", v)
        }
        if ua.contains("Firefox") { return ("Firefox", "") }
        if let v = ua.version(after: "CriOS/") { return ("Chrome", v) }
        if os == "Android", ua.contains("; wv)") || (ua.contains("Version/") && ua.contains("Chrome/")) {
            return ("Android WebView", ua.version(after: "Chrome/") ?? "")
        }
        if let v = ua.version(after: "Chrome/") { return ("Chrome", v) }
        if os == "Android", ua.contains("Safari"), ua.contains("AppleWebKit") {
            return ("Android Browser", ua.version(after: "Version/") ?? "")
        }
        if ua.contains("Safari/"), ua.contains("AppleWebKit"), let v = ua.version(after: "Version/") {
            return ("Safari", v)
        }
        if ua.contains("Version/"), ua.contains("Mobile/"), ua.contains("Safari") {
            return ("Safari", ua.version(after: "Version/") ?? "")
        }
        if (os == "iOS" || os == "iPadOS"), ua.contains("AppleWebKit"), !ua.contains("Safari/") {
            return ("Safari (in-app)", "")  // an iOS app's web view (WKWebView)
        }
        if ua.contains("Safari/"), ua.contains("AppleWebKit") { return ("Safari", "") }
        return ("", "")
    }
}
