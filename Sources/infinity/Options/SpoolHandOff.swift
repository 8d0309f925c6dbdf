import Foundation
import Ingest
import Journal
import Logging

/// How `infinity import access-log` hands its hits to a running `infinity serve`: the importer
/// spools them (``JournalSpool``), the server appends them, and this waits for it, a few batches
/// ahead at most. Should the server stop meanwhile, the journal is free: the import takes it and
/// stores its batches itself.
struct SpoolHandOff: Sendable {
    let spool: JournalSpool
    /// The configuration to open the journal with, should the server stop.
    let journal: JournalConfiguration
    let logger: Logger
    /// Asked while waiting (Ctrl-C): the batches handed over are safe, so the wait may end.
    var shouldStop: @Sendable () -> Bool = { false }

    /// The journal configuration of a command that appends imported hits (its classifier versions
    /// are what a batch made by this build carries).
    static func journalConfiguration(_ path: String) -> JournalConfiguration {
        JournalConfiguration(
            directory: path, commit: CommitPolicy(sync: .everyBlock),
            classifiers: IngestPipeline(
                sites: StaticSiteRegistry([]), visitors: VisitorIdentifier(salts: EphemeralSalts())
            )
            .classifierVersions)
    }

    /// Spooled batches not yet taken before the importer waits.
    static let maxWaiting = 4
    /// How long the server may take no batch before the import gives up waiting.
    static let patience: Double = 120

    /// Returns once fewer than ``maxWaiting`` of `names` wait.
    func waitForRoom(_ names: [String]) throws {
        try wait(names, until: Self.maxWaiting - 1)
    }

    /// Returns once the server (or this process) took every batch in `names`; `progress` hears how
    /// many were taken.
    func waitUntilTaken(_ names: [String], progress: (Int) -> Void = { _ in }) throws {
        try wait(names, until: 0, progress: progress)
    }

    private func wait(_ names: [String], until most: Int, progress: (Int) -> Void = { _ in }) throws {
        var left = names.filter(spool.isWaiting)
        var lastTaken = Date()
        var lastTry = Date.distantPast
        while left.count > most, !shouldStop() {
            if let name = left.first(where: { spool.refusal($0) != nil }), let reason = spool.refusal(name) {
                throw CommandFailure(
                    "infinity serve cannot store the imported hits: \(reason) (the batch stays in \(spool.path(name)); the lines it holds count as imported)"
                )
            }
            if Date().timeIntervalSince(lastTry) >= 1 {
                lastTry = Date()
                if try storeHere() { continue }
            }
            usleep(5_000)
            let still = left.filter(spool.isWaiting)
            if still.count < left.count {
                lastTaken = Date()
                progress(names.count - still.count)
            }
            left = still
            if Date().timeIntervalSince(lastTaken) > Self.patience {
                throw CommandFailure(
                    "infinity serve has taken none of the imported hits for \(Int(Self.patience)) s; they are safe in \(spool.directory) and are stored when serve (or the next import) runs. Check serve's log, and that it runs the same version of infinity as this command"
                )
            }
        }
    }

    /// Stores the waiting batches in this process when no server holds the journal; whether it did.
    func storeHere() throws -> Bool {
        let writer: JournalWriter
        do {
            writer = try JournalWriter(configuration: journal, logger: logger)
        } catch let error as JournalError where error.code == .locked {
            return false  // serve still runs: it takes them
        }
        defer { try? writer.closeBlocking() }
        if try !spool.published().isEmpty {
            logger.notice("no server holds the journal; storing the imported hits waiting in the spool in this process")
        }
        try SpoolConsumer(spool: spool, writer: writer, logger: logger).consumeAll()
        try writer.closeBlocking()
        return true
    }
}
