import Foundation
import InfinityTestSupport
import Journal
import Logging
import Testing

@testable import Ingest

/// Importing the whole history after any prefix or cut of it gives exactly the hits of one clean
/// import, line for line: measured on a real access log, cut at every line boundary of its first
/// lines and in the middle of lines.
@Suite("access-log import: exactly once, line for line")
struct ImportExactlyOnceTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    /// The first lines of the real log, each with its line break.
    static let head: [String] = {
        let text = (try? String(contentsOfFile: TestData.path("logs/elastic-apache_logs"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).prefix(160).map { $0 + "\n" }
    }()

    /// What the numbers are made of: each hit's time and page, and which hits share a visitor.
    struct Outcome: Equatable {
        var hits: [String]
        var visitorsPerDay: [Int64: Int]
    }

    /// Imports `files` one run each into the data folder `data` and reads the journal back.
    static func importRuns(_ files: [String], data: String) throws -> Outcome {
        for file in files {
            let writer = try JournalWriter(
                configuration: JournalConfiguration(directory: data + "/journal", commit: CommitPolicy(sync: .none)),
                logger: quiet)
            let importer = try AccessLogImporter(
                dataDirectory: data, writer: writer,
                options: AccessLogImporter.Options(site: Site(domain: "elastic.example")), logger: quiet)
            _ = try importer.run(files: [file])
            try writer.closeBlocking()
        }
        var hits: [String] = []
        var visitors: [Int64: Set<UInt64>] = [:]
        var blocks = try JournalReader(directory: JournalDirectory(path: data + "/journal")).blocks()
        while let block = try blocks.next() {
            for index in 0..<block.count {
                let hit = block[index]
                hits.append("\(hit.timestamp) \(hit.pathname) \(hit.browser)")
                visitors[hit.timestamp / 86_400_000, default: []].insert(hit.visitorID)
            }
        }
        return Outcome(hits: hits.sorted(), visitorsPerDay: visitors.mapValues(\.count))
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("a copy cut at any line boundary, then the whole log, equals one clean import")
    func cutAtEveryLineBoundary() throws {
        try #require(Self.head.count == 160)
        let folder = TemporaryFolder()
        let whole = folder.path + "/access.log"
        try Self.write(Self.head.joined(), to: whole)
        let clean = try Self.importRuns([whole], data: folder.path + "/clean")
        #expect(clean.hits.count > 10)
        for cut in 1..<Self.head.count {
            let part = folder.path + "/part-\(cut).log"
            try Self.write(Self.head.prefix(cut).joined(), to: part)
            let data = folder.path + "/cut-\(cut)"
            #expect(try Self.importRuns([part, whole], data: data) == clean, "cut after line \(cut)")
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    @Test("a copy cut in the middle of a line, then the whole log, equals one clean import")
    func cutInTheMiddleOfLines() throws {
        let folder = TemporaryFolder()
        let text = Self.head.joined()
        let whole = folder.path + "/access.log"
        try Self.write(text, to: whole)
        let clean = try Self.importRuns([whole], data: folder.path + "/clean")
        let bytes = Array(text.utf8)
        var random = SplitMix(seed: 20_261_202)
        for round in 0..<40 {
            let offset = Int(random.next() % UInt64(bytes.count - 1)) + 1
            let part = folder.path + "/part-\(round).log"
            try Data(bytes[..<offset]).write(to: URL(fileURLWithPath: part))
            let data = folder.path + "/cut-\(round)"
            #expect(try Self.importRuns([part, whole], data: data) == clean, "cut at byte \(offset)")
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    @Test("rotated files that overlap (access.log.1, then a longer access.log holding its tail) equal one clean import")
    func rotatedOverlappingFiles() throws {
        let folder = TemporaryFolder()
        let whole = folder.path + "/all.log"
        try Self.write(Self.head.joined(), to: whole)
        let clean = try Self.importRuns([whole], data: folder.path + "/clean")
        let older = folder.path + "/access.log.1"
        let newer = folder.path + "/access.log"
        try Self.write(Self.head[0..<100].joined(), to: older)
        try Self.write(Self.head[70...].joined(), to: newer)  // starts 30 lines before the rotation
        #expect(try Self.importRuns([older, newer, whole], data: folder.path + "/rotated") == clean)
        #expect(try Self.importRuns([newer, older], data: folder.path + "/reversed").hits.count == clean.hits.count)
    }

    @Test("identical lines are each counted: a log holding a line twice imports it twice, and once more adds nothing")
    func identicalLinesCountEachTime() throws {
        let folder = TemporaryFolder()
        let line =
            #"198.51.100.1 - - [18/May/2015:10:00:00 +0000] "GET /same HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/38.0""#
            + "\n"
        let twice = folder.path + "/twice.log"
        try Self.write(line + line, to: twice)
        let once = folder.path + "/once.log"
        try Self.write(line, to: once)
        #expect(try Self.importRuns([once, twice, twice], data: folder.path + "/data").hits.count == 2)
    }

    @Test("an import secret older than 48 hours is deleted by the sweep, a younger one is kept")
    func importSecretsExpire() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/imports/elastic.example.salts"
        _ = try ImportSalts(path: path)
        ImportSalts.sweep(dataDirectory: folder.path, now: Date().addingTimeInterval(47 * 3600))
        #expect(FileManager.default.fileExists(atPath: path))
        ImportSalts.sweep(dataDirectory: folder.path, now: Date().addingTimeInterval(49 * 3600))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

/// A temporary folder for one test, removed when it is done.
final class TemporaryFolder {
    let path = NSTemporaryDirectory() + "infinity-import-\(UUID().uuidString.prefix(8))"
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
