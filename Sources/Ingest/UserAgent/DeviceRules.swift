import Journal

/// Device class from the user agent: TVs and consoles by their platforms' tokens, tablets by
/// platform and by the model names makers give tablets, phones by their platforms and the
/// feature-phone markers, and computers by their operating systems.
enum DeviceRules {
    /// Lower-case tokens of TVs, set-top boxes, streaming sticks and game consoles.
    static let tv = [
        "smart-tv", "smarttv", "smart tv", "googletv", "google tv", "android tv", "androidtv", "appletv", "apple tv",
        "crkey", "chromecast", "roku", "hbbtv", "netcast", "web0s", "webos.tv", "bravia", "playstation", "xbox",
        "nintendo", "wii", "ouya", "gamepad", "dreamcast", "tizen tv", "viera", "philipstv", "nettv", "inettv",
        "dtv", "ce-html", "opera tv", "directfb", "tv box", "tvbox", "mibox", "mi box", "shield android tv",
        "nexus player", "aquos", "vizio", "hisense", "tcl tv", "large screen", "smart-box", "smartbox", "brightsign",
        "tpm171", "netbox", "freebox", "stb", "set-top", "valve steam", "steam deck", "psp", "; tv", "_tv", "-tv",
        " tv)", "tv build", "tvapp", "dune hd",
    ]

    /// Case-sensitive model prefixes of tablets, each followed by a digit in the model name.
    static let tabletModels = [
        "SM-T", "SM-P", "SM-X", "GT-P", "GT-N5", "GT-N8", "SCH-I800", "SCH-I815", "SCH-I905", "SGH-T849", "SGH-I987",
        "SPH-P", "SHW-M180", "SHW-M380", "SHV-E140", "SGP", "TB-", "TB2-", "TB3-", "YT3-", "YT-", "A1-", "B1-", "B3-",
        "A3-A", "TF", "ME1", "ME3", "ME5", "ME7", "ME8", "K01", "PMP", "MID", "PMID", "BAH", "AGS", "BTV-", "CMR-",
        "SCM-", "KOB", "DBY-", "LG-V4", "LG-V5", "LG-V7", "Nexus 7", "Nexus 9", "Nexus 10", "ZT", "IdeaTab",
    ]

    /// Lower-case words and parts of model names that makers give only tablets.
    static let tabletWords = [
        "tablet", "ipad", "kindle", "playbook", "mediapad", "matepad", "mipad", "mi pad", "redmi pad", "xiaomi pad",
        "galaxy tab", "lenovo tab", "ideatab", "iconia", "transformer", "xoom", "pixel c", "pixel tablet",
        "touchpad", "nook", "hudl", "nabi", "kurio", "lifetab", "smarttab", "surface", "xperia tablet",
        "sonytablet", "sony tablet", "onepad", "picopad", "novo7", "novo 7", "gopad", "viewpad", "iball slide",
        "iball_slide", "htc flyer", "htc_flyer",
    ]

    static let tvBytes = tv.map { Array($0.utf8) }
    static let tabletWordBytes = tabletWords.map { Array($0.utf8) }

    static func detect(_ ua: UserAgentText, os: String) -> DeviceClass {
        if ua.containsLower(anyOf: tvBytes) { return .tv }
        if ua.contains("AFT") && ua.hasWord(startingWith: "AFT") { return .tv }  // Fire TV models
        if os == "iPadOS" || isTablet(ua, os: os) { return .tablet }
        if os == "Android" || os == "Fire OS" { return androidDevice(ua) }
        if os == "iOS" || os == "Windows Phone" || os == "KaiOS" || os == "Symbian" || os == "BlackBerry"
            || os == "Bada" || os == "BREW" || os == "Sailfish" || os == "Tizen" || os == "webOS"
            || isPhone(ua)
        {
            return .mobile
        }
        if ["Windows", "macOS", "Linux", "ChromeOS", "FreeBSD", "OpenBSD", "NetBSD", "BSD", "Solaris", "Mac OS"]
            .contains(os)
        {
            return .desktop
        }
        return .unknown
    }

    /// Tablets named as such, and tablet model names.
    static func isTablet(_ ua: UserAgentText, os: String) -> Bool {
        if ua.containsLower(anyOf: tabletWordBytes) { return true }
        if ua.contains("Silk") && !ua.contains("Mobile") { return true }
        if os == "Android" || os == "Fire OS" {
            if tabletModels.contains(where: { ua.containsFollowedByDigit($0) }) { return true }
            if ua.hasWord(startingWith: "KF") && ua.containsUppercaseRun(after: "KF", length: 2) { return true }
            // "Tab" or "Pad" starting a word of the model name: "GOCLEVER TAB", "Tab2", "XPad".
            if ua.hasWord(startingWith: "Tab") || ua.hasWord(startingWith: "TAB") || ua.hasWord(startingWith: "Pad")
                || ua.hasWord(startingWith: "PAD")
            {
                return true
            }
            // Android 3 (Honeycomb) ran on tablets only.
            if ua.contains("Android 3.") { return true }
        }
        // Windows on an ARM tablet (Surface RT and its kind).
        if os == "Windows" && ua.contains("ARM;") && ua.contains("Touch") && !ua.contains("Windows Phone") {
            return true
        }
        return false
    }

    /// An Android device: phones say "Mobile" in a browser's agent and tablets do not; apps'
    /// own agents often carry neither, and most of them run on phones.
    static func androidDevice(_ ua: UserAgentText) -> DeviceClass {
        if ua.contains("Mobile") { return .mobile }
        let browserShaped = ua.containsLower("applewebkit") && ua.contains("Safari")
        // Apps' agents, and the MediaTek phones' "Release/… Browser/AppleWebKit… Profile/" form.
        if !browserShaped || ua.contains("Release/") || ua.contains("Profile/") { return .mobile }
        // Phone models whose browsers leave "Mobile" out (desktop mode, old builds).
        if phoneModels.contains(where: { ua.containsFollowedByDigit($0) || ua.contains($0 + " ") }) { return .mobile }
        // Sony's phones are "Sony" and a letter-and-digits model (SonyC6833); its tablets say so.
        if ua.contains("Sony") && !ua.containsLower("tablet") && !ua.contains("SGP") { return .mobile }
        return .tablet
    }

    /// Case-sensitive model prefixes of phones whose browsers may leave "Mobile" out.
    static let phoneModels = [
        "GT-I", "GT-S", "SM-G", "SM-N", "SM-A", "SM-J", "SGH-", "SPH-", "SCH-", "SHV-E", "HTC", "XT",
    ]

    /// Phones and feature phones that name no operating system we know.
    static func isPhone(_ ua: UserAgentText) -> Bool { ua.containsLower(anyOf: phoneMarkerBytes) }

    static let phoneMarkerBytes = phoneMarkers.map { Array($0.utf8) }

    /// Lower-case markers of phones and feature phones.
    static let phoneMarkers = [
        "iphone", "ipod", "midp", "cldc", "up.browser", "up.link", "docomo", "kddi", "softbank", "vodafone/",
        "j2me", "symbian", "series40", "series60", "series30", "s60", "nokia", "sonyericsson", "samsung-",
        "sec-", "sgh-", "mot-", "motorola", "lg-", "lge-", "blackberry", "windows ce", "windows mobile",
        "iemobile", "ppc;", "smartphone", "palm", "brew", "bada", "opera mini", "opera mobi", "netfront",
        "obigo", "teleca", "openwave", "ucweb", "mobile", "phone", "wap", "maui", "mtk", "spreadtrum", "sprd",
        "alcatel", "zte", "huawei", "lenovo", "micromax", "benq", "sagem", "sharp", "sanyo", "philips",
        "siemens", "sie-", "panasonic", "pantech", "kyocera", "htc", "i-mate", "jasmine", "dolfin", "samsung",
        "onebrowser", "mqqbrowser", "lg/", "lge", "sonyericsson",
    ]
}
