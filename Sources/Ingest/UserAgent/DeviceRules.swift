import Journal

/// Device class from the user agent.
enum DeviceRules {
    static func detect(_ ua: UserAgentText, os: String) -> DeviceClass {
        let tv = [
            "smart-tv", "smarttv", "googletv", "google tv", "android tv", "appletv", "crkey", "roku", "hbbtv",
            "netcast", "web0s", "bravia", "playstation", "xbox", "nintendo", "aftb", "aftm", "aftt", "afts", "aftk",
            "tizen tv", "smart tv", "viera", "philipstv", "dtv", "ce-html", "opera tv",
        ]
        for token in tv where ua.containsLower(token) { return .tv }
        if os == "iPadOS" || ua.containsLower("tablet") || ua.containsLower("kindle") || ua.containsLower("playbook")
            || (ua.contains("Silk") && !ua.contains("Mobile"))
        {
            return .tablet
        }
        if os == "Android" { return ua.contains("Mobile") || ua.contains("mobile") ? .mobile : .tablet }
        if os == "iOS" || os == "Windows Phone" || os == "KaiOS" || os == "Symbian" || os == "BlackBerry"
            || ua.contains("Mobi") || ua.contains("Opera Mini") || ua.contains("Mobile Safari")
        {
            return .mobile
        }
        if ["Windows", "macOS", "Linux", "ChromeOS", "FreeBSD", "OpenBSD", "NetBSD", "Solaris"].contains(os) {
            return .desktop
        }
        return .unknown
    }
}
