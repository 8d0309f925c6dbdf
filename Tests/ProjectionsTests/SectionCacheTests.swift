import Foundation
import InfinityTestSupport
import Journal
import Projections
import Testing

@Suite struct SectionCacheTests {
    @Test func aDayFileRewrittenByTheLiveWorkerIsReadAnewNotServedFromTheCache() throws {
        let data = TemporaryDirectory()
        let hits = Fixtures.generator().allHits(firstDay: Fixtures.firstDay, days: 2, countPerSite: 300)
        let half = hits.count / 2
        try Fixtures.append(Array(hits[..<half]), data: data.path)
        let store = RollupStore(dataDirectory: data.path)
        let worker = ProjectionWorker(
            journal: JournalDirectory(dataDirectory: data.path), store: store, calendar: Fixtures.calendar,
            logger: Fixtures.quiet)
        _ = try worker.catchUp()
        let cache = SectionCache()
        let generation = try #require(try store.current())
        let keys = try generation.keys()
        let before = try keys.map { try #require(try generation.read($0, cache: cache)) }
        let again = try keys.map { try #require(try generation.read($0, cache: cache)) }
        #expect(cache.statistics.hits > 0, "a second read of unchanged files comes from the cache")
        for (first, second) in zip(before, again) { #expect(first.hasSameNumbers(as: second)) }

        try Fixtures.append(Array(hits[half...]), data: data.path)
        let report = try worker.catchUp()
        #expect(!report.days.isEmpty)
        let current = try #require(try store.current())
        #expect(current.path == generation.path, "the worker rewrote files in place, under the same paths")
        var changed = 0
        for key in try current.keys() {
            let cached = try #require(try current.read(key, cache: cache))
            let uncached = try #require(try current.read(key))
            #expect(cached.hasSameNumbers(as: uncached), "\(key) was served stale from the cache")
            if let old = before.first(where: { $0.site == key.site && $0.day == key.day }),
                old.records != cached.records
            {
                changed += 1
            }
        }
        #expect(changed > 0, "some days got new hits")
    }

    @Test func theCacheNeverHoldsMoreThanItsCapacity() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 8, perDay: 400)
        _ = try Fixtures.rebuild(data: data.path)
        let generation = try #require(try RollupStore(dataDirectory: data.path).current())
        let capacity = 48 << 10
        let cache = SectionCache(capacity: capacity)
        for _ in 0..<2 {
            for key in try generation.keys() {
                let cached = try #require(try generation.read(key, cache: cache))
                #expect(cached.hasSameNumbers(as: try #require(try generation.read(key))))
                #expect(cache.statistics.bytes <= capacity)
            }
        }
        #expect(cache.statistics.sections > 0)
        #expect(cache.statistics.misses > cache.statistics.sections, "least recently used sections were dropped")
    }
}
