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
    /// Classifies every case of a uap-core file and counts hits and false claims of our families.
    /// `expected` maps uap-core's family to the families of ours that count as right (nil: not ours).
    func measure(
        _ file: String, ours: Set<String>, expected: (String) -> Set<String>?, got: (UserAgentInfo) -> String
    ) throws -> Rates {
        var rates = Rates()
        for testCase in try TestData.uapCases(file) {
            let agent = testCase["user_agent_string"] ?? ""
            let family = testCase["family"] ?? ""
            let answer = got(UserAgentClassifier.classifyUncached(agent))
            if let right = expected(family) {
                rates.ours += 1
                if right.contains(answer) {
                    rates.oursRight += 1
                } else {
                    rates.misses.append("\(right) ≠ \(answer): \(agent)")
                }
            } else {
                rates.others += 1
                if ours.contains(answer) {
                    rates.othersWronglyOurs += 1
                    rates.wrong.append("\(family) → \(answer): \(agent)")
                }
            }
        }
        print("\(file): \(rates)")
        for line in (rates.misses + rates.wrong).prefix(200) { print("  " + line) }
        return rates
    }

    @Test("browser families: ≥ 97% of our families right, < 1% of other agents given one of ours")
    func browsers() throws {
        let rates = try measure(
            "test_ua.yaml", ours: UserAgentClassifier.browserFamilies,
            expected: { uapBrowserFamilies[$0].map { [$0] } },
            got: \.browser)
        #expect(rates.ours > 100)
        #expect(rates.recall >= 0.97, "\(rates)")
        #expect(rates.falseRate < 0.01, "\(rates)")
    }

    @Test("OS families: ≥ 97% of our families right, < 1% of other agents given one of ours")
    func operatingSystems() throws {
        let rates = try measure(
            "test_os.yaml", ours: UserAgentClassifier.osFamilies, expected: { uapOSFamilies[$0] }, got: \.os)
        #expect(rates.ours > 100)
        #expect(rates.recall >= 0.97, "\(rates)")
        #expect(rates.falseRate < 0.01, "\(rates)")
    }
}
