import Testing

@testable import Journal

@Suite("Synthetic traffic")
struct GeneratorTests {
    private let generator = TrafficGenerator(
        sites: [
            TrafficGenerator.Site(domain: "example.com"),
            TrafficGenerator.Site(domain: "tokyo.example", utcOffsetMinutes: 540),
        ],
        seed: 42)
    private let firstDay: Int64 = 20_400 * 86_400_000

    @Test("the same seed gives the same hits; another seed gives others")
    func deterministic() {
        let a = generator.hits(site: 0, firstDay: firstDay, day: 3, count: 2000)
        let b = generator.hits(site: 0, firstDay: firstDay, day: 3, count: 2000)
        let other = TrafficGenerator(sites: generator.sites, seed: 43).hits(
            site: 0, firstDay: firstDay, day: 3, count: 2000)
        #expect(difference(a, b) == nil)
        #expect(a != other)
    }

    @Test("traffic looks like a website's: bounces, sessions, power-law pages, a mix of sources and devices")
    func realistic() {
        let hits = generator.hits(site: 0, firstDay: firstDay, day: 0, count: 50_000)
        #expect(abs(hits.count - 50_000) < 500)
        let pageviews = hits.filter(\.isPageview)
        let visitors = Set(hits.map(\.visitorID)).count
        let perVisitor = Double(pageviews.count) / Double(visitors)
        #expect(perVisitor > 1.5 && perVisitor < 4, "page views per visitor \(perVisitor)")
        let pages = Dictionary(grouping: pageviews, by: \.pathname).mapValues(\.count).values.sorted(by: >)
        #expect(pages[0] > 10 * pages[pages.count / 2], "the top page should dwarf the median one")
        let direct = Double(hits.filter { $0.source.isEmpty && $0.referrer.isEmpty }.count) / Double(hits.count)
        #expect(direct > 0.5, "later page views of a session carry no referrer")
        #expect(Set(hits.map(\.source)).count > 20)
        #expect(Set(hits.map(\.country)).count > 30)
        #expect(Set(hits.map(\.device)).count == 4)
        let events = hits.filter { !$0.isPageview }
        #expect(events.count > 100 && events.allSatisfy { !$0.props.isEmpty })
        #expect(events.contains { $0.revenue != nil })
        #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
    }

    @Test("a site's day runs from its own local midnight, with a daytime peak")
    func localDay() {
        let tokyo = generator.hits(site: 1, firstDay: firstDay, day: 0, count: 20_000)
        let start = firstDay - 540 * 60_000
        #expect(tokyo.allSatisfy { $0.timestamp >= start && $0.timestamp < start + 86_400_000 })
        let hours = tokyo.map { Int(($0.timestamp - start) / 3_600_000) }
        let night = hours.filter { $0 >= 2 && $0 < 6 }.count
        let afternoon = hours.filter { $0 >= 13 && $0 < 17 }.count
        #expect(afternoon > 3 * night)
    }

    @Test("UTC days -1...days hold every site-local day's hits exactly once")
    func utcDaysCoverLocalDays() {
        let days = 3
        let all = generator.allHits(firstDay: firstDay, days: days, countPerSite: 3000)
        let expected = (0..<2).flatMap { site in
            (0..<days).flatMap { generator.hits(site: site, firstDay: firstDay, day: $0, count: 3000) }
        }
        #expect(all.count == expected.count)
        #expect(Set(all.map(\.visitorID)) == Set(expected.map(\.visitorID)))
    }
}
