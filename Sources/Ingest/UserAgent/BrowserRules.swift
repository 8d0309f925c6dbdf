/// Browser family and major version. Every name is one of ``names``; an agent that shows no
/// browser we know is `Other`, never a fragment of the string.
enum BrowserRules {
    /// A token that names a browser or app, what to call it, and where its version is.
    struct Rule {
        let token: String
        let bytes: [UInt8]
        let family: String
        let versionAfter: String?

        init(_ token: String, _ family: String, version: String? = nil) {
            self.token = token
            self.bytes = Array(token.utf8)
            self.family = family
            self.versionAfter = version
        }
    }

    /// The names reported, documented in Docs/privacy.md: the big families, then other browsers,
    /// browsers of feature phones, TVs and consoles, text browsers, and apps' in-app browsers.
    static let names: [String] = [
        "Chrome", "Chromium", "Android WebView", "Safari", "Firefox", "Microsoft Edge", "Opera", "Opera Mini",
        "Samsung Internet", "UC Browser", "Yandex Browser", "Internet Explorer", "Android Browser", "Brave",
        "Vivaldi", "DuckDuckGo", "Whale", "QQ Browser", "Huawei Browser", "Mi Browser", "Amazon Silk", "Coc Coc",
        "360 Browser", "Baidu Browser", "Sogou Explorer", "Maxthon", "Puffin", "Dolphin", "Pale Moon", "Waterfox",
        "SeaMonkey", "Iceweasel", "Konqueror", "GNOME Web", "Midori", "Falkon", "Otter Browser", "Vivo Browser",
        "HeyTap Browser", "Honor Browser", "Avast Secure Browser", "AVG Secure Browser", "Aloha Browser", "Ecosia",
        "Quark", "Mint Browser", "Phoenix Browser", "Kiwi Browser", "Arc", "Naver Whale", "Netscape", "Camino",
        "K-Meleon", "Flock", "Epic", "Comodo Dragon", "Iron", "Sleipnir", "Lunascape", "Avant Browser",
        "Liebao Browser", "2345 Browser", "Opera Coast", "Nokia Browser", "BlackBerry Browser",
        "NetFront", "Obigo", "Openwave Mobile Browser", "DoCoMo", "Motorola Internet Browser", "SEMC Browser",
        "Phantom Browser", "Jasmine", "Polaris", "Teashark", "Bolt", "ONE Browser",
        "Skyfire", "Kindle Browser", "Oculus Browser", "PlayStation Browser", "Nintendo Browser", "LG Browser",
        "Tizen Browser", "webOS Browser", "Sailfish Browser", "KaiOS Browser", "Lynx", "Links", "ELinks", "w3m",
        "Dillo", "NetSurf", "Mosaic", "Facebook", "Instagram", "Messenger", "TikTok", "Snapchat",
        "Pinterest", "LinkedIn", "Twitter", "WeChat", "LINE", "KakaoTalk", "Google App", "Naver",
        "Other",
    ]

    /// Browsers and apps that embed or imitate Chrome, Safari or Firefox, checked before the
    /// families so they are not counted as those (tokens are case-sensitive).
    static let rules: [Rule] = [
        // In-app browsers of social and messaging apps.
        Rule("FBAN/Messenger", "Messenger"), Rule("FB_IAB/MESSENGER", "Messenger"), Rule("FBAN/", "Facebook"),
        Rule("FBAV/", "Facebook"), Rule("FB_IAB", "Facebook"), Rule("FBIOS", "Facebook"),
        Rule("Instagram", "Instagram"),
        Rule("musical_ly", "TikTok"), Rule("BytedanceWebview", "TikTok"), Rule("TikTok", "TikTok"),
        Rule("Snapchat", "Snapchat"), Rule("Pinterest", "Pinterest"), Rule("LinkedInApp", "LinkedIn"),
        Rule("Twitter for", "Twitter"), Rule("TwitterAndroid", "Twitter"), Rule("MicroMessenger", "WeChat"),
        Rule("Line/", "LINE"), Rule("KAKAOTALK", "KakaoTalk"),
        Rule("GSA/", "Google App"), Rule("GoogleApp/", "Google App"), Rule("NAVER(inapp", "Naver"),
        // Browsers built on Chromium, WebKit or Gecko that name themselves. The Quest's browser
        // names Samsung's, whose engine it grew from, after its own.
        Rule("OculusBrowser/", "Oculus Browser", version: "OculusBrowser/"),
        Rule("SamsungBrowser/", "Samsung Internet", version: "SamsungBrowser/"),
        Rule("YaBrowser/", "Yandex Browser", version: "YaBrowser/"),
        Rule("YaSearchBrowser/", "Yandex Browser", version: "YaSearchBrowser/"),
        Rule("Edg/", "Microsoft Edge", version: "Edg/"), Rule("EdgA/", "Microsoft Edge", version: "EdgA/"),
        Rule("EdgiOS/", "Microsoft Edge", version: "EdgiOS/"), Rule("Edge/", "Microsoft Edge", version: "Edge/"),
        Rule("OPR/", "Opera", version: "OPR/"), Rule("OPRGX/", "Opera", version: "OPRGX/"),
        Rule("OPT/", "Opera", version: "OPT/"), Rule("OPX/", "Opera", version: "OPX/"),
        Rule("Coast/", "Opera Coast", version: "Coast/"), Rule("Vivaldi/", "Vivaldi", version: "Vivaldi/"),
        Rule("Brave", "Brave", version: "Chrome/"), Rule("DuckDuckGo/", "DuckDuckGo", version: "DuckDuckGo/"),
        Rule("Ddg/", "DuckDuckGo", version: "Ddg/"), Rule("Whale/", "Whale", version: "Whale/"),
        Rule("MQQBrowser", "QQ Browser", version: "MQQBrowser/"),
        Rule("QQBrowser", "QQ Browser", version: "QQBrowser/"),
        Rule("HuaweiBrowser", "Huawei Browser", version: "HuaweiBrowser/"),
        Rule("MiuiBrowser", "Mi Browser", version: "MiuiBrowser/"), Rule("XiaoMi/Mint", "Mint Browser"),
        Rule("Mint Browser", "Mint Browser"), Rule("Silk/", "Amazon Silk", version: "Silk/"),
        Rule("coc_coc_browser", "Coc Coc", version: "coc_coc_browser/"), Rule("Cốc Cốc", "Coc Coc"),
        Rule("QihooBrowser", "360 Browser"), Rule("360SE", "360 Browser"), Rule("360EE", "360 Browser"),
        Rule("QIHU", "360 Browser"), Rule("baidubrowser", "Baidu Browser"), Rule("BIDUBrowser", "Baidu Browser"),
        Rule("baiduboxapp", "Baidu Browser"), Rule("BaiduHD", "Baidu Browser"), Rule("FlyFlow", "Baidu Browser"),
        Rule("SogouMobileBrowser", "Sogou Explorer"), Rule("MetaSr", "Sogou Explorer"),
        Rule("SE 2.X", "Sogou Explorer"), Rule("Maxthon", "Maxthon"), Rule("MxBrowser", "Maxthon"),
        Rule("Puffin", "Puffin", version: "Puffin/"), Rule("Dolfin", "Dolphin"), Rule("Dolphin", "Dolphin"),
        Rule("PaleMoon", "Pale Moon", version: "PaleMoon/"), Rule("Waterfox", "Waterfox", version: "Waterfox/"),
        Rule("SeaMonkey", "SeaMonkey", version: "SeaMonkey/"), Rule("Iceweasel", "Iceweasel", version: "Iceweasel/"),
        Rule("Konqueror", "Konqueror"), Rule("konqueror", "Konqueror"), Rule("Epiphany", "GNOME Web"),
        Rule("Midori", "Midori"), Rule("Falkon", "Falkon"), Rule("Otter/", "Otter Browser"),
        Rule("VivoBrowser", "Vivo Browser"), Rule("HeyTapBrowser", "HeyTap Browser"),
        Rule("HonorBrowser", "Honor Browser"), Rule("AvastSecureBrowser", "Avast Secure Browser"),
        Rule("avast/", "Avast Secure Browser"), Rule("AVG", "AVG Secure Browser"),
        Rule("AlohaBrowser", "Aloha Browser"), Rule("Ecosia", "Ecosia"), Rule("Quark/", "Quark"),
        Rule("Phoenix/", "Phoenix Browser"), Rule("PHX/", "Phoenix Browser"), Rule("Kiwi", "Kiwi Browser"),
        Rule("Arc/", "Arc"), Rule("Navigator/", "Netscape"), Rule("Netscape", "Netscape"), Rule("Camino", "Camino"),
        Rule("K-Meleon", "K-Meleon"), Rule("Flock", "Flock"), Rule("Epic/", "Epic"),
        Rule("Comodo_Dragon", "Comodo Dragon"), Rule("Iron/", "Iron"), Rule("Iron Safari", "Iron"),
        Rule("Sleipnir", "Sleipnir"), Rule("Lunascape", "Lunascape"), Rule("Avant Browser", "Avant Browser"),
        Rule("LBBROWSER", "Liebao Browser"), Rule("2345Explorer", "2345 Browser"),
        Rule("Mb2345Browser", "2345 Browser"), Rule("Kindle/", "Kindle Browser"),
        Rule("OculusBrowser", "Oculus Browser"), Rule("LG Browser", "LG Browser"),
        Rule("SailfishBrowser", "Sailfish Browser"),
        Rule("Skyfire", "Skyfire"), Rule("Teashark", "Teashark"), Rule("BOLT/", "Bolt"),
        Rule("OneBrowser", "ONE Browser"),
        Rule("ONE Browser", "ONE Browser"),
    ]

    static func detect(_ ua: UserAgentText, os: String) -> (String, String) {
        // UC's and Opera's own tokens are unambiguous, even inside other vendors' agents.
        if ua.contains("UCBrowser") || ua.contains("UCWEB") || ua.contains("UCMobile") || ua.contains("UC Browser")
            || ua.containsLower("uc applewebkit")
        {
            return (
                "UC Browser",
                ua.version(after: "UCBrowser/") ?? ua.version(after: "UCMobile/") ?? ua.version(after: "UCBrowser")
                    ?? ua.version(after: "UC Browser") ?? ""
            )
        }
        if ua.contains("Opera Mini") || ua.contains("OPiOS") {
            return ("Opera Mini", ua.version(after: "Opera Mini/") ?? ua.version(after: "OPiOS/") ?? "")
        }
        if ua.contains("Opera Mobi") || ua.contains("Presto/") || ua.containsLower("opera") {
            return (
                "Opera",
                ua.version(after: "Version/") ?? ua.version(after: "Opera/") ?? ua.version(after: "Opera ") ?? ""
            )
        }
        for rule in rules where UserAgentText.find(rule.bytes, in: ua.original) != nil {
            return (rule.family, rule.versionAfter.flatMap { ua.version(after: $0) } ?? "")
        }
        if let v = ua.version(after: "IEMobile/") ?? ua.version(after: "IEMobile ") { return ("Internet Explorer", v) }
        if let v = ua.version(after: "MSIE ") { return ("Internet Explorer", v) }
        if ua.contains("Trident/") { return ("Internet Explorer", ua.version(after: "rv:") ?? "") }
        if let phone = featurePhoneBrowser(ua, os: os) { return (phone, "") }
        if let text = textBrowser(ua) { return (text, "") }
        // The big engines' own names.
        if let v = ua.version(after: "FxiOS/") ?? ua.version(after: "Firefox/") ?? ua.version(after: "Fennec/")
            ?? ua.version(after: "Focus/") ?? ua.version(after: "Klar/")
        {
            return ("Firefox", v)
        }
        if ua.contains("Firefox") || (ua.contains("Gecko/") && ua.contains("rv:") && !ua.contains("like Gecko")) {
            return ("Firefox", ua.version(after: "rv:") ?? "")
        }
        if let v = ua.version(after: "CriOS/") { return ("Chrome", v) }
        if let v = ua.version(after: "Chromium/") { return ("Chromium", v) }
        if os == "Android", ua.contains("; wv)") || (ua.contains("Version/") && ua.contains("Chrome/")) {
            return ("Android WebView", ua.version(after: "Chrome/") ?? "")
        }
        if let v = ua.version(after: "Chrome/") ?? ua.version(after: "CrMo/") { return ("Chrome", v) }
        if os == "iOS" || os == "iPadOS" {
            // Safari, or an app's web view (WKWebView): every browser on iOS is Safari's engine.
            return ("Safari", ua.version(after: "Version/") ?? "")
        }
        if os == "Android" || os == "KaiOS" || ua.contains("Android") {
            // The platform's own browser, or a web view of an app that does not name itself.
            return ("Android Browser", ua.version(after: "Version/") ?? "")
        }
        // A phone maker's own browser on a phone that names no other.
        if ua.containsLower("nokia") || os == "Symbian" {
            return os == "Symbian" && ua.contains("Safari") ? ("Safari", "") : ("Nokia Browser", "")
        }
        if ua.contains("Safari") && ua.containsLower("applewebkit") {
            return ("Safari", ua.version(after: "Version/") ?? "")
        }
        if ua.original.starts(with: Array("Safari".utf8)) || ua.contains("MobileSafari/") { return ("Safari", "") }
        if os == "macOS" && ua.containsLower("applewebkit") { return ("Safari", ua.version(after: "Version/") ?? "") }
        return ("Other", "")
    }

    /// Browsers of feature phones and other small devices.
    static func featurePhoneBrowser(_ ua: UserAgentText, os: String) -> String? {
        if ua.contains("NokiaBrowser") || ua.contains("BrowserNG") || ua.contains("OviBrowser")
            || ua.contains("Series40") || ua.contains("Series30")
            || (os == "Symbian" && !ua.containsLower("applewebkit"))
        {
            return "Nokia Browser"
        }
        if ua.contains("BlackBerry") || ua.contains("BB10") || ua.contains("PlayBook") { return "BlackBerry Browser" }
        if ua.contains("UP.Browser") || ua.contains("UP.Link") || ua.containsLower("openwave") {
            return "Openwave Mobile Browser"
        }
        if ua.contains("DoCoMo") { return "DoCoMo" }
        if ua.contains("MIB/") { return "Motorola Internet Browser" }
        if ua.contains("SEMC-Browser") { return "SEMC Browser" }
        if ua.contains("Browser/Phantom") { return "Phantom Browser" }
        if ua.containsLower("netfront") || ua.contains("NF-Browser") { return "NetFront" }
        if ua.containsLower("obigo") || ua.contains("Teleca") || ua.contains("Q05A") || ua.contains("Q03C") {
            return "Obigo"
        }
        if ua.contains("Jasmine") { return "Jasmine" }
        if ua.contains("Polaris") { return "Polaris" }
        if ua.contains("PlayStation") || ua.contains("PLAYSTATION") { return "PlayStation Browser" }
        if ua.contains("Nintendo") { return "Nintendo Browser" }
        if ua.contains("Tizen") && !ua.contains("Chrome/") { return "Tizen Browser" }
        if ua.contains("webOS") || ua.contains("wOSBrowser") || ua.contains("hpwOS") { return "webOS Browser" }
        if os == "KaiOS" && !ua.contains("Firefox") { return "KaiOS Browser" }
        return nil
    }

    /// How text-mode and small desktop browsers' agents start (lower-case), and their names.
    static let textBrowsers: [([UInt8], String)] = [
        ("lynx", "Lynx"), ("elinks", "ELinks"), ("links", "Links"), ("w3m", "w3m"), ("dillo", "Dillo"),
        ("netsurf", "NetSurf"), ("ncsa_mosaic", "Mosaic"), ("ncsa mosaic", "Mosaic"),
    ].map { (Array($0.0.utf8), $0.1) }

    /// Text-mode and small desktop browsers.
    static func textBrowser(_ ua: UserAgentText) -> String? {
        textBrowsers.first { ua.lower.starts(with: $0.0) }?.1
    }
}
