import Foundation
import Journal
import Testing

@testable import Ingest

/// A site may honour the visitor's choice (Global Privacy Control, Do Not Track): then hits whose
/// browser sends it count nothing for that site, and are counted as dropped for that reason.
@Suite("visitor choice: Do Not Track and Global Privacy Control")
struct PrivacySignalTests {
    let pipeline = IngestPipeline(
        sites: StaticSiteRegistry([
            Site(domain: "private.example", honorsPrivacySignals: true), Site(domain: "example.com"),
        ]),
        visitors: VisitorIdentifier(salts: EphemeralSalts()))

    func run(domain: String, header: Bool = false, payload: Bool = false) -> IngestOutcome {
        let host = domain.split(separator: ",").last.map(String.init) ?? domain
        return pipeline.process(
            IncomingEvent(name: "pageview", url: "https://\(host)/", domain: domain, privacySignal: payload),
            context: RequestContext(
                peerAddress: "81.2.69.142", userAgent: PipelineTests.chrome, time: PipelineTests.now,
                privacySignal: header))
    }

    static func sites(_ outcome: IngestOutcome) -> [String] {
        if case .accepted(let hits) = outcome { return hits.map(\.site) }
        return []
    }

    @Test("a site that honours the signal drops the hit, whether the header or the tracker says so")
    func honouringSiteDrops() {
        for (header, payload) in [(true, false), (false, true), (true, true)] {
            guard case .dropped(.visitorChoice) = run(domain: "private.example", header: header, payload: payload)
            else {
                Issue.record("expected a drop for the visitor's choice (header \(header), payload \(payload))")
                continue
            }
        }
        #expect(Self.sites(run(domain: "private.example")) == ["private.example"], "no signal: counted")
    }

    @Test("a site that does not honour it (the default) counts the hit; an event for both counts only there")
    func defaultCountsAndMixedEvents() {
        #expect(Self.sites(run(domain: "example.com", header: true)) == ["example.com"])
        #expect(Self.sites(run(domain: "private.example,example.com", header: true)) == ["example.com"])
    }

    @Test("the sites file keeps the choice; changing only the time zone keeps it too")
    func storeKeepsTheChoice() throws {
        let folder = TemporaryFolder()
        let store = try SiteStore(path: folder.path + "/sites.json")
        _ = try store.add(domain: "private.example", timezone: "UTC", honorPrivacySignals: true)
        _ = try store.add(domain: "private.example", timezone: "Europe/Berlin")
        let reopened = try SiteStore(path: folder.path + "/sites.json")
        #expect(reopened.site(for: "private.example")?.honorsPrivacySignals == true)
        #expect(reopened.site(for: "private.example")?.timeZone.identifier == "Europe/Berlin")
        _ = try reopened.add(domain: "private.example", timezone: "Europe/Berlin", honorPrivacySignals: false)
        #expect(
            try SiteStore(path: folder.path + "/sites.json").site(for: "private.example")?.honorsPrivacySignals == false
        )
    }
}
