import Foundation
import Testing

@testable import Ingest

/// How uap-core's family names map onto the dashboard's families (documented in Docs/privacy.md).
/// Names not listed are not among our families.
let uapBrowserFamilies: [String: String] = [
    "Chrome": "Chrome", "Chrome Mobile": "Chrome", "Chrome Mobile iOS": "Chrome",
    "Safari": "Safari", "Mobile Safari": "Safari",
    "Firefox": "Firefox", "Firefox Mobile": "Firefox", "Firefox iOS": "Firefox", "Firefox Beta": "Firefox",
    "Firefox Alpha": "Firefox", "Firefox Nightly": "Firefox",
    "Edge": "Microsoft Edge", "Edge Mobile": "Microsoft Edge",
    "Opera": "Opera", "Opera Mobile": "Opera", "Opera Touch": "Opera", "Opera GX": "Opera",
    "Opera Mini": "Opera Mini",
    "Samsung Internet": "Samsung Internet", "UC Browser": "UC Browser", "Yandex Browser": "Yandex Browser",
    "IE": "Internet Explorer", "IE Mobile": "Internet Explorer",
    "Chrome Mobile WebView": "Android WebView", "Android": "Android Browser",
    "Brave": "Brave", "Vivaldi": "Vivaldi", "DuckDuckGo Mobile": "DuckDuckGo", "DuckDuckGo": "DuckDuckGo",
    "Whale": "Whale",
    "QQ Browser": "QQ Browser", "QQ Browser Mobile": "QQ Browser",
]

let uapOSFamilies: [String: Set<String>] = [
    "Windows": ["Windows"], "Mac OS X": ["macOS"], "iOS": ["iOS", "iPadOS"], "Android": ["Android"],
    "Linux": ["Linux"], "Ubuntu": ["Linux"], "Debian": ["Linux"], "Gentoo": ["Linux"], "Red Hat": ["Linux"],
    "Mandriva": ["Linux"], "Fedora": ["Linux"], "Chrome OS": ["ChromeOS"], "Windows Phone": ["Windows Phone"],
    "Windows Mobile": ["Windows Phone"],
]

struct Rates: CustomStringConvertible {
    var ours = 0, oursRight = 0, others = 0, othersWronglyOurs = 0
    var misses: [String] = [], wrong: [String] = []
    var recall: Double { Double(oursRight) / Double(max(ours, 1)) }
    var falseRate: Double { Double(othersWronglyOurs) / Double(max(others, 1)) }
    var description: String {
        "ours \(oursRight)/\(ours) = \(String(format: "%.2f", recall * 100))%; others given one of ours: \(othersWronglyOurs)/\(others) = \(String(format: "%.2f", falseRate * 100))%"
    }
}

@Suite("User-agent classification on uap-core's real strings")
struct UserAgentAccuracyTests {
    @Test("browser families: ≥ 97% of our families right, < 1% of other agents given one of ours")
    func browsers() throws {
        var rates = Rates()
        for testCase in try SharedData.uapCases("test_ua.yaml") {
            let agent = testCase["user_agent_string"] ?? ""
            let got = UserAgentClassifier.classifyUncached(agent).browser
            if let expected = uapBrowserFamilies[testCase["family"] ?? ""] {
                rates.ours += 1
                if got == expected {
                    rates.oursRight += 1
                } else {
                    rates.misses.append("\(expected) ≠ \(got): \(agent)")
                }
            } else {
                rates.others += 1
                if UserAgentClassifier.browserFamilies.contains(got) {
                    rates.othersWronglyOurs += 1
                    rates.wrong.append("\(testCase["family"] ?? "") → \(got): \(agent)")
                }
            }
        }
        print("browsers: \(rates)")
        for line in (rates.misses + rates.wrong).prefix(200) { print("  " + line) }
        #expect(rates.ours > 100)
        #expect(rates.recall >= 0.97, "\(rates)")
        #expect(rates.falseRate < 0.01, "\(rates)")
    }

    @Test("OS families: ≥ 97% of our families right, < 1% of other agents given one of ours")
    func operatingSystems() throws {
        var rates = Rates()
        for testCase in try SharedData.uapCases("test_os.yaml") {
            let agent = testCase["user_agent_string"] ?? ""
            let got = UserAgentClassifier.classifyUncached(agent).os
            if let expected = uapOSFamilies[testCase["family"] ?? ""] {
                rates.ours += 1
                if expected.contains(got) {
                    rates.oursRight += 1
                } else {
                    rates.misses.append("\(expected) ≠ \(got): \(agent)")
                }
            } else {
                rates.others += 1
                if UserAgentClassifier.osFamilies.contains(got) {
                    rates.othersWronglyOurs += 1
                    rates.wrong.append("\(testCase["family"] ?? "") → \(got): \(agent)")
                }
            }
        }
        print("operating systems: \(rates)")
        for line in (rates.misses + rates.wrong).prefix(200) { print("  " + line) }
        #expect(rates.ours > 100)
        #expect(rates.recall >= 0.97, "\(rates)")
        #expect(rates.falseRate < 0.01, "\(rates)")
    }
}
