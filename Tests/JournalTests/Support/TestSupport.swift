import Foundation
@_exported import InfinityTestSupport
import Logging
import Synchronization
import Testing

@testable import Journal

/// A logger that keeps what it was told, so tests can check what recovery reported.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let entries = Mutex<[Entry]>([])

    var logger: Logger { Logger(label: "test") { _ in Handler(recorder: self) } }
    var all: [Entry] { entries.withLock { $0 } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.entries.withLock {
                $0.append(
                    Entry(level: event.level, message: event.message.description, metadata: event.metadata ?? [:]))
            }
        }
    }
}

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

enum Fixtures {
    /// Realistic hits from the traffic generator: `count` of them, in time order.
    static func generated(_ count: Int, seed: UInt64 = 1, sites: [String] = ["example.com", "shop.example"]) -> [Hit] {
        let generator = TrafficGenerator(sites: sites.map { TrafficGenerator.Site(domain: $0, pages: 200) }, seed: seed)
        var hits: [Hit] = []
        var day = 0
        while hits.count < count {
            hits += generator.hits(
                utcDay: day, firstDay: 1_790_000_000_000 / 86_400_000 * 86_400_000, days: 1000,
                countPerSite: max(count / 2, 50))
            day += 1
        }
        return Array(hits.prefix(count))
    }

    /// Hits with awkward values: empty and long strings, non-ASCII text, many props, revenue,
    /// negative and unordered timestamps, every enum value.
    static func awkward(_ count: Int, seed: UInt64) -> [Hit] {
        var random = SeededRandom(seed: seed)
        func text(_ random: inout SeededRandom) -> String {
            let pool = [
                "", "a", "/", "/blog/ünïcödé-😀", "example.com", String(repeating: "x", count: 2000), "tab\there",
                "quote\"s", "日本語",
            ]
            return pool[Int(random.next() % UInt64(pool.count))]
                + (random.next() % 4 == 0 ? String(random.next() % 100) : "")
        }
        return (0..<count).map { _ in
            var hit = Hit(
                timestamp: Int64(bitPattern: random.next() % 4_000_000_000_000) - 1_000_000_000_000,
                site: text(&random), visitorID: random.next())
            for field in StringField.allCases where field != .site { hit[field] = text(&random) }
            hit.channel = Channel.allCases[Int(random.next() % UInt64(Channel.allCases.count))]
            hit.device = DeviceClass.allCases[Int(random.next() % UInt64(DeviceClass.allCases.count))]
            hit.screen = ScreenClass.allCases[Int(random.next() % UInt64(ScreenClass.allCases.count))]
            hit.flags = HitFlags(rawValue: UInt8(random.next() % 4))
            if random.next() % 3 == 0 {
                hit.props = (0..<Int(random.next() % 31)).map { _ in Property(text(&random), text(&random)) }
            }
            if random.next() % 5 == 0 {
                hit.revenue = Revenue(
                    amount: Int64(bitPattern: random.next()) >> 8,
                    currency: ["EUR", "USD", "JPY"][Int(random.next() % 3)])
            }
            return hit
        }
    }

    /// Writes `hits` synchronously in blocks of `blockSize` and closes the journal.
    static func writeJournal(_ hits: [Hit], blockSize: Int, in directory: String, segmentSizeLimit: Int64 = 64 << 20)
        throws
    {
        let appender = try JournalAppender(
            configuration: JournalConfiguration(
                directory: directory, segmentSizeLimit: segmentSizeLimit, classifiers: ["test": "1"]),
            logger: quietLogger)
        var index = 0
        while index < hits.count {
            _ = try appender.append(hits[index..<min(index + blockSize, hits.count)])
            index += blockSize
        }
        try appender.close()
    }

    /// Every record of the journal in `directory`, in order.
    static func readAll(_ directory: String) throws -> [Hit] {
        var blocks = try JournalReader(directory: JournalDirectory(path: directory)).blocks()
        var hits: [Hit] = []
        while let block = try blocks.next() { hits += (0..<block.count).map { block[$0] } }
        return hits
    }

    /// Offsets and lengths of every block of a segment, from its headers.
    static func blockOffsets(of path: String) throws -> [(offset: Int64, length: Int, header: BlockHeader)] {
        var cursor = try SegmentCursor(segment: segment(path))
        var result: [(Int64, Int, BlockHeader)] = []
        while case .block(let found) = try cursor.next() {
            result.append((found.offset, found.header.totalLength, found.header))
        }
        return result
    }

    static func segment(_ path: String) -> JournalDirectory.Segment {
        let name = (path as NSString).lastPathComponent
        return JournalDirectory.Segment(name: name, path: path, firstSequence: SegmentName.firstSequence(of: name)!)
    }

    static func segmentPaths(_ directory: String) throws -> [String] {
        try JournalDirectory(path: directory).segments().map(\.path)
    }
}

/// File surgery for corruption tests.
enum Damage {
    static func truncate(_ path: String, to length: Int64) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(length))
        try handle.close()
    }

    static func flipBit(_ path: String, bit: Int64) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[Int(bit / 8)] ^= UInt8(1 << (bit % 8))
        try withWritable(path) { try data.write(to: URL(fileURLWithPath: path)) }
    }

    static func withWritable(_ path: String, _ body: () throws -> Void) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = try cast(attributes[.posixPermissions], to: NSNumber.self)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path) }
        try body()
    }

    static func size(_ path: String) throws -> Int64 {
        (try cast(FileManager.default.attributesOfItem(atPath: path)[.size], to: NSNumber.self)).int64Value
    }

    static func copyDirectory(_ from: String, to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }
}

/// Nil when two record lists are equal, else where they first differ. Used instead of `==` inside
/// `#expect`, whose diff of two large arrays would take minutes.
func difference(_ actual: [Hit], _ expected: [Hit]) -> String? {
    if let index = (0..<min(actual.count, expected.count)).first(where: { actual[$0] != expected[$0] }) {
        return "first difference at record \(index): \(actual[index]) vs \(expected[index])"
    }
    return actual.count == expected.count ? nil : "\(actual.count) records, expected \(expected.count)"
}
