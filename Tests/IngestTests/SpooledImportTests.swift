import Foundation
import InfinityTestSupport
import Journal
import Logging
import Testing

@testable import Ingest

/// An import that hands its hits to a running server through the spool, stopped at each step of
/// handing over a batch, then run again: the journal ends up with every line's hit exactly once.
@Suite("access-log import through the spool: exactly once at every step")
struct SpooledImportTests {
    static let quiet = ImportExactlyOnceTests.quiet

    /// Where the first run stopped while handing over its batch.
    enum Step: String, CaseIterable {
        /// The batch was written, unpublished; the ledger does not name it yet.
        case written
        /// The ledger names it as pending; its lines' keys are not on disk.
        case noted
        /// Its keys are on disk too; it was not published.
        case keysWritten
        /// It was published, and the run stopped before it saved the ledger again.
        case published
    }

    /// Imports `file` into `data` through the spool (nothing takes the batches); the batches made.
    static func spoolImport(_ file: String, data: String) throws -> [String] {
        let importer = try AccessLogImporter(
            dataDirectory: data,
            destination: .spool(
                JournalSpool(dataDirectory: data), journal: data + "/journal", classifiers: [:], room: { _ in }),
            options: AccessLogImporter.Options(site: Site(domain: "elastic.example")), logger: quiet)
        _ = try importer.run(files: [file])
        return importer.spooled
    }

    /// Takes every spooled batch into the journal, as a server would.
    static func takeSpool(_ data: String) throws {
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: data + "/journal", commit: CommitPolicy(sync: .none)),
            logger: quiet)
        try SpoolConsumer(spool: JournalSpool(dataDirectory: data), writer: writer, logger: quiet).consumeAll()
        try writer.closeBlocking()
    }

    @Test("stopped after each step of handing a batch over, then run again: each line once", arguments: Step.allCases)
    func stoppedAtEachStep(step: Step) throws {
        let folder = TemporaryFolder()
        let log = folder.path + "/access.log"
        try ImportExactlyOnceTests.head.joined().write(toFile: log, atomically: true, encoding: .utf8)
        let clean = try ImportExactlyOnceTests.importRuns([log], data: folder.path + "/clean")

        let data = folder.path + "/data"
        let batches = try Self.spoolImport(log, data: data)
        try #require(batches.count == 1)
        // Turn the finished run back into one stopped at `step`.
        let spool = JournalSpool(dataDirectory: data)
        let ledgerPath = ImportLedger.path(dataDirectory: data, site: "elastic.example")
        var ledger = try ImportLedger.load(ledgerPath)
        let keys = Int(ledger.keysLength / 8)
        let hits = try spool.read(batches[0]).recordCount
        if step != .published {
            try FileManager.default.moveItem(atPath: spool.path(batches[0]), toPath: spool.unpublishedPath(batches[0]))
        }
        if step == .written || step == .noted {
            try FileManager.default.removeItem(atPath: ImportLedger.keysPath(ledgerPath))
            #expect(FileManager.default.createFile(atPath: ImportLedger.keysPath(ledgerPath), contents: nil))
        }
        ledger.keysLength = 0
        ledger.pending =
            step == .written
            ? nil : ImportLedger.Pending(journalStart: 0, hits: hits, keysLength: 0, keys: keys, spool: batches[0])
        try ledger.save(ledgerPath)

        let second = try Self.spoolImport(log, data: data)
        #expect(second.isEmpty == (step == .keysWritten || step == .published), "stopped when \(step)")
        #expect(try spool.unpublished().isEmpty)
        try Self.takeSpool(data)
        #expect(try ImportExactlyOnceTests.importRuns([], data: data) == clean, "stopped when \(step)")
    }
}
