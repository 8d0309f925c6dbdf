import Foundation
import InfinityTestSupport
import Journal
import Logging
import Projections
import Testing

/// Journals of generated traffic for the projection tests.
enum Fixtures {
    static let quiet: Logger = {
        var logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }()

    /// Three sites in three zones (two with a daylight-saving change inside the range).
    static let sites: [(domain: String, zone: String, offset: Int)] = [
        ("example.com", "UTC", 0), ("shop.example", "America/New_York", -240), ("blog.example", "Asia/Kolkata", 330),
    ]

    static var calendar: SiteCalendar {
        SiteCalendar(zones: Dictionary(uniqueKeysWithValues: sites.map { ($0.domain, TimeZone(identifier: $0.zone)!) }))
    }

    static var zones: [String: TimeZone] { calendar.zones }

    /// 2026-10-20, so 20 days cross the end of daylight saving time in New York (2026-11-01).
    static let firstDay: Int64 = 20_746 * 86_400_000

    /// The generator of these tests; half the page views report their engagement.
    static func generator(seed: UInt64 = 7) -> TrafficGenerator {
        var generator = TrafficGenerator(
            sites: sites.map { TrafficGenerator.Site(domain: $0.domain, utcOffsetMinutes: $0.offset, pages: 120) },
            seed: seed)
        generator.engagement = 0.5
        return generator
    }

    /// Writes `days` of traffic into `<data>/journal` and returns every hit written, in order.
    @discardableResult
    static func writeJournal(data: String, days: Int, perDay: Int, blockSize: Int = 1000) throws -> [Hit] {
        let hits = generator().allHits(firstDay: firstDay, days: days, countPerSite: perDay)
        try append(hits, data: data, blockSize: blockSize)
        return hits
    }

    /// `hits` with about one in `every` of each disorder: a hit late by two hours, a hit in the same
    /// millisecond as the one before, two neighbours swapped. Returns them and how many were moved.
    static func disordered(_ hits: [Hit], seed: UInt64, every: UInt64) -> (hits: [Hit], moved: Int) {
        var hits = hits
        var random = SeededRandom(seed: seed)
        var moved = 0
        for index in hits.indices {
            switch random.next() % every {
            case 0: hits[index].timestamp -= 2 * 3_600_000
            case 1 where index > 0: hits[index].timestamp = hits[index - 1].timestamp
            case 2 where index + 1 < hits.count: hits.swapAt(index, index + 1)
            default: continue
            }
            moved += 1
        }
        return (hits, moved)
    }

    static func append(_ hits: [Hit], data: String, blockSize: Int = 1000) throws {
        let writer = try JournalWriter(
            configuration: JournalConfiguration(
                directory: data + "/journal", commit: CommitPolicy(maxRecords: blockSize, sync: .none),
                classifiers: ["test": "1"]),
            logger: quiet)
        var index = 0
        while index < hits.count {
            _ = try writer.appendBlocking(Array(hits[index..<min(index + blockSize, hits.count)]))
            index += blockSize
        }
        try writer.closeBlocking()
    }

    static func readAll(data: String) throws -> [Hit] {
        var blocks = try JournalReader(directory: JournalDirectory(dataDirectory: data)).blocks()
        var hits: [Hit] = []
        while let block = try blocks.next() { hits += (0..<block.count).map { block[$0] } }
        return hits
    }

    /// The live worker over `<data>`, with the fixture sites' calendar.
    static func worker(data: String) -> ProjectionWorker {
        ProjectionWorker(
            journal: JournalDirectory(dataDirectory: data), store: RollupStore(dataDirectory: data),
            calendar: calendar, logger: quiet)
    }

    static func rebuild(data: String, options: RebuildOptions = RebuildOptions()) throws -> RebuildReport {
        try Rebuilder(
            journal: JournalDirectory(dataDirectory: data), store: RollupStore(dataDirectory: data),
            calendar: calendar, options: options, logger: quiet
        ).run()
    }

    /// The path of a day file of the current generation.
    static func anyDayFile(data: String) throws -> String {
        let generation = try #require(try RollupStore(dataDirectory: data).current())
        let root = URL(fileURLWithPath: generation.path)
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        return try #require(enumerator.compactMap { ($0 as? URL)?.path }.first { $0.hasSuffix(".day") })
    }

    /// Every day rollup of the current generation.
    /// Rebuilds the rollups the live worker wrote and checks every number is the same; returns the rebuilt ones.
    @discardableResult
    static func expectLiveRollupsEqualARebuild(data: String) throws -> [DayKey: DayRollup] {
        let live = try rollups(data: data)
        _ = try rebuild(data: data)
        let rebuilt = try rollups(data: data)
        #expect(live.keys.sorted() == rebuilt.keys.sorted())
        for (key, rollup) in rebuilt {
            #expect(live[key]?.hasSameNumbers(as: rollup) == true, "\(key) differs between live and rebuilt")
        }
        return rebuilt
    }

    static func rollups(data: String) throws -> [DayKey: DayRollup] {
        guard let generation = try RollupStore(dataDirectory: data).current() else { return [:] }
        var result: [DayKey: DayRollup] = [:]
        for key in try generation.keys() { result[key] = try generation.read(key) }
        return result
    }
}
