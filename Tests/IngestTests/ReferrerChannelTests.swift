import Foundation
import Journal
import Testing

@testable import Ingest

/// Issue 16's referrer row: the channel of a labelled referrer list, with the goal in the
/// assertion, and the kinds the issue found filed wrongly.
@Suite("referrer channels")
struct ReferrerChannelTests {
    static func channel(_ referrer: String) -> TrafficSource {
        TrafficSource.classify(referrerURL: referrer, pageHost: "example.com", utm: UTM(), refParameter: "")
    }

    @Test("channel right for ≥ 90% of the hand-labelled referrers (search, social, video, e-mail, paid, AI, referral)")
    func labelledReferrers() throws {
        let text = try String(contentsOfFile: TestData.path("referrers/labelled-referrers.tsv"), encoding: .utf8)
        var share = Share()
        var perChannel: [String: Share] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 2 else { continue }
            let got = Self.channel(fields[1]).channel.description
            share.count(got == fields[0], "\(fields[0]) ≠ \(got): \(fields[1])")
            perChannel[fields[0], default: Share()].count(got == fields[0], fields[1])
        }
        #expect(share.total >= 140)
        #expect(share.rate >= 0.9, "\(share)")
        // Every channel but Direct, and Paid Social, which only campaign tags can tell.
        #expect(perChannel.count == Channel.allCases.count - 2, "\(perChannel.keys.sorted())")
        for (channel, channelShare) in perChannel { #expect(channelShare.rate >= 0.8, "\(channel): \(channelShare)") }
    }

    @Test("webmail is Email, ad clicks are Paid, AI chat sites are AI Assistants, with the provider's name")
    func kindsTheIssueFound() {
        for (referrer, channel, source) in [
            ("https://navigator.gmx.net/mail", Channel.email, "GMX"), ("https://email.ionos.de/", .email, "IONOS"),
            ("https://www.orange.fr/webmail/", .email, "orange.fr"),
            ("https://outlook.live.com/mail/0/inbox", .email, "Outlook.com"),
            ("https://mail.yahoo.com/d/folders/1", .email, "Yahoo! Mail"),
            ("https://tpc.googlesyndication.com/simgad/1", .paidOther, "Google Ads"),
            ("https://ad.doubleclick.net/ddm/clk/1", .paidOther, "Google Ads"),
            ("https://character.ai/chat/1", .aiAssistant, "Character.AI"), ("https://poe.com/", .aiAssistant, "Poe"),
            ("android-app://com.google.android.gm/", .email, "Gmail"),
            ("https://search.yahoo.com/search?p=x", .organicSearch, "Yahoo!"),
            ("https://docs.google.com/document/d/1", .referral, "Google Docs"),
            ("https://play.google.com/store/apps/details?id=x", .referral, "Google Play"),
            ("https://chromewebstore.google.com/detail/x", .referral, "Chrome Web Store"),
        ] {
            let result = Self.channel(referrer)
            #expect(result.channel == channel && result.source == source, "\(referrer): \(result)")
        }
    }

    @Test("an Android app of a search company is search only if it is the search app; its other apps are referrals")
    func androidAppsOfSearchCompanies() {
        for (referrer, channel) in [
            ("android-app://com.google.android.googlequicksearchbox/", Channel.organicSearch),
            ("android-app://com.yandex.searchapp/", .organicSearch),
            ("android-app://com.baidu.searchbox/", .organicSearch),
            ("android-app://com.google.android.apps.maps/", .referral),
            ("android-app://com.google.android.apps.messaging/", .referral),
            ("android-app://com.google.android.apps.docs/", .referral),
            ("android-app://com.facebook.lite/", .organicSocial),
            ("android-app://com.google.android.gm/", .email),
        ] {
            let result = Self.channel(referrer)
            #expect(result.channel == channel, "\(referrer): \(result)")
        }
    }

    @Test("a name listed for any top-level domain matches google.de and google.co.uk, not google.example.com")
    func anyTopLevelDomainMeansATopLevelDomain() {
        for (referrer, channel) in [
            ("https://www.google.de/", Channel.organicSearch), ("https://www.google.co.uk/", .organicSearch),
            ("https://www.google.com.br/search", .organicSearch), ("https://search.yahoo.co.jp/", .organicSearch),
            ("https://google.example.com/", .referral), ("https://www.bing.mysite.org/", .referral),
        ] {
            let result = Self.channel(referrer)
            #expect(result.channel == channel, "\(referrer): \(result)")
        }
    }

    @Test("webmail on an organisation's own server is Email: Outlook on the web, Roundcube, SquirrelMail")
    func selfHostedWebmail() {
        for referrer in [
            "https://owa.company.example/owa/", "https://exchange.company.example/OWA/#path=/mail",
            "https://mx.provider.example/roundcube/", "https://host.example/squirrelmail/src/webmail.php",
        ] {
            #expect(Self.channel(referrer).channel == .email, "\(referrer): \(Self.channel(referrer))")
        }
        #expect(Self.channel("https://host.example/horde/imp/dynamic.php").channel == .email)
        for page in ["https://blog.example/owala-review", "https://wow.example/horde/guide"] {
            #expect(Self.channel(page).channel == .referral, "\(page)")
        }
    }

    @Test("short links and apps of networks count as the network, under the network's one name")
    func shortLinksAndMessengers() {
        for (referrer, source) in [
            ("https://pin.it/1", "Pinterest"), ("https://t.me/channel", "Telegram"), ("https://wa.me/1", "WhatsApp"),
            ("https://redd.it/1", "Reddit"), ("https://www.reddit.com/r/swift", "Reddit"),
            ("android-app://com.reddit.frontpage/", "Reddit"), ("android-app://com.tencent.mm/", "WeChat"),
            ("https://statics.teams.cdn.office.net/", "Microsoft Teams"),
        ] {
            let result = Self.channel(referrer)
            #expect(result.channel == .organicSocial && result.source == source, "\(referrer): \(result)")
        }
    }

    @Test("a referrer written without a scheme or protocol-relative is read as https; words are no referrer")
    func referrersWithoutAScheme() {
        for (referrer, channel, source) in [
            ("www.google.com/search?q=x", Channel.organicSearch, "Google"), ("//t.co/abc", .organicSocial, "Twitter"),
            ("news.ycombinator.com", .organicSocial, "Hacker News"),
            ("blog.example.org:8080/post", .referral, "blog.example.org"),
            ("-", .direct, ""), ("(direct)", .direct, ""), ("localhost:3000/x", .direct, ""),
            ("file:///home/me/page.html", .direct, ""), ("not a url.com", .direct, ""),
        ] {
            let result = Self.channel(referrer)
            #expect(result.channel == channel && result.source == source, "\(referrer): \(result)")
        }
    }

    @Test("a referrer on the landing page's own host is a self-referral, counted as Direct")
    func selfReferral() {
        #expect(Self.channel("https://example.com/pricing").channel == .direct)
    }
}
