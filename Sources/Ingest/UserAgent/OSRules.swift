/// Operating system family and version.
enum OSRules {
    static func detect(_ ua: UserAgentText) -> (String, String) {
        // Platforms that run a Linux or Android underneath but are their own family.
        let platforms: [(String, String)] = [
            ("HbbTV", "Smart TV"), ("GoogleTV", "Google TV"), ("CrKey", "Chromecast"), ("Kindle/", "Kindle"),
            ("Maemo", "Maemo"), ("Sailfish", "Sailfish"), ("WeTab", "WeTab"), ("BSD", "BSD"),
            ("Mac_PowerPC", "Mac OS"), ("Apple TV", "tvOS"), ("Web0S", "webOS"), ("NETTV", "Smart TV"),
            ("PlayStation", "PlayStation"),
        ]
        for (token, family) in platforms where ua.contains(token) { return (family, "") }
        if ua.contains("Silk/") || ua.contains("Quest") || ua.contains("JUC") { return ("Android", "") }
        if ua.contains("XBLWP7") || ua.contains("ZuneWP7") || ua.contains("wds ") { return ("Windows Phone", "") }
        if ua.contains("iPh OS") || ua.contains("iPd OS") || ua.contains("(iOS;") { return ("iOS", "") }
        if ua.contains("X11; Windows") { return ("ChromeOS", "") }  // Citrix's Chrome app on ChromeOS
        // Chromebooks running Android apps say Android, but name the Chromebook.
        if ua.contains("Chromebook") || ua.contains("Chromebox") { return ("ChromeOS", "") }
        // UC Browser's compact form: dv(iPh7,1) is an iPhone, dv(iPad…) an iPad.
        if ua.contains("dv(iPh") || ua.contains("dv(iPod") { return ("iOS", "") }
        if ua.contains("dv(iPad") { return ("iPadOS", "") }
        if ua.contains("like Mac OS X"), ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iPod") {
            return (ua.contains("iPad") ? "iPadOS" : "iOS", appleVersion(ua) ?? "")
        }
        if ua.contains("Darwin") {
            // Apple's network stack: x86 and Mac models are macOS, the rest iPhones and iPads.
            if ua.contains("x86_64") || ua.contains("i386") || ua.contains("Mac") { return ("macOS", "") }
            if ua.contains("CFNetwork") { return ("iOS", "") }
        }
        if ua.contains("Windows Phone") || ua.contains("Windows Mobile") || ua.contains("WPDesktop") {
            return (
                "Windows Phone", ua.version(after: "Windows Phone OS ") ?? ua.version(after: "Windows Phone ") ?? ""
            )
        }
        if ua.contains("Xbox") { return ("Windows", "") }
        if ua.contains("HarmonyOS") || ua.contains("OpenHarmony") { return ("HarmonyOS", "") }
        if ua.contains("KAIOS") || ua.contains("KaiOS") { return ("KaiOS", "") }
        if ua.contains("Tizen") { return ("Tizen", "") }
        if ua.containsLower("android") || ua.contains("Adr ") {
            let version = ua.version(after: "Android ") ?? ua.version(after: "Android/") ?? ""
            return ("Android", version)
        }
        if ua.contains("iPad") { return ("iPadOS", appleVersion(ua) ?? "") }
        if ua.contains("iPhone") || ua.contains("iPod") || ua.contains("iOS ") || ua.contains("iOS/")
            || ua.contains("iPhone OS")
        {
            return (
                "iOS",
                appleVersion(ua) ?? ua.version(after: "iOS ", parts: 2) ?? ua.version(after: "iOS/", parts: 2) ?? ""
            )
        }
        if ua.contains("Watch OS") || ua.contains("watchOS") { return ("watchOS", "") }
        if ua.contains("AppleTV") || ua.contains("tvOS") { return ("tvOS", "") }
        if ua.contains("CrOS") {
            // "CrOS x86_64 14541.0.0": the platform build number.
            if let start = ua.find("CrOS ") {
                var index = start + 5
                while index < ua.original.count && ua.original[index] != 32 { index += 1 }
                return ("ChromeOS", UserAgentText.version(in: ua.original, from: index + 1, parts: 1) ?? "")
            }
            return ("ChromeOS", "")
        }
        if ua.contains("Macintosh") || ua.contains("Mac OS X") || ua.contains("Mac_PowerPC") || ua.contains("Mac OS") {
            return ("macOS", ua.version(after: "Mac OS X ", parts: 2) ?? "")
        }
        if let nt = ua.version(after: "Windows NT ", parts: 2) {
            let names = [
                "10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.2": "XP", "5.1": "XP",
                "5.0": "2000",
            ]
            return ("Windows", names[nt] ?? nt)
        }
        if ua.contains("Windows") || ua.contains("Win64") || ua.contains("Win32") || ua.contains("WinNT") {
            if ua.contains("Windows 98") || ua.contains("Win98") { return ("Windows", "98") }
            if ua.contains("Windows 95") || ua.contains("Win95") { return ("Windows", "95") }
            return ("Windows", ua.contains("Windows XP") ? "XP" : "")
        }
        if ua.contains("FreeBSD") { return ("FreeBSD", "") }
        if ua.contains("OpenBSD") { return ("OpenBSD", "") }
        if ua.contains("NetBSD") { return ("NetBSD", "") }
        if ua.contains("SunOS") || ua.contains("Solaris") { return ("Solaris", "") }
        if ua.contains("webOS") || ua.contains("Web0S") || ua.contains("hpwOS") { return ("webOS", "") }
        if ua.contains("SymbianOS") || ua.contains("Symbian") || ua.contains("Series60") || ua.contains("S60") {
            return ("Symbian", "")
        }
        if ua.contains("BlackBerry") || ua.contains("BB10") || ua.contains("RIM Tablet") { return ("BlackBerry", "") }
        if ua.containsLower("os/macos") || ua.containsLower("darwin") { return ("macOS", "") }
        if ua.containsLower("linux") || ua.contains("Ubuntu") || ua.contains("Fedora") || ua.contains("Debian")
            || ua.contains("X11") || ua.contains("Gentoo") || ua.contains("Mandriva") || ua.contains("Red Hat")
            || ua.contains("CentOS") || ua.contains("Arch Linux") || ua.contains("SUSE")
        {
            return ("Linux", "")
        }
        return ("", "")
    }

    /// `CPU iPhone OS 17_4 like Mac OS X` / `CPU OS 16_1` → `17.4` / `16.1`.
    static func appleVersion(_ ua: UserAgentText) -> String? {
        ua.version(after: "iPhone OS ", parts: 2) ?? ua.version(after: "CPU OS ", parts: 2)
    }
}
