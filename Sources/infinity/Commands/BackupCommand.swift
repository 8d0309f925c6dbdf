import ArgumentParser
import Foundation
import Journal
import Projections

/// `infinity backup`: a copy of a data folder that `infinity restore` brings back, made while
/// `infinity serve` runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the journal, rollups and settings into a backup folder, also while `infinity serve` runs.",
        discussion: """
            The first run copies everything; later runs into the same folder copy only what changed: \
            new and compacted segments, the segment being written (up to its last complete block), \
            changed day files, the settings. Segments and day files that retention deleted leave the \
            backup too. Daily salts are never copied (they live two days, by design), so visitors of \
            the day of a restore are counted anew after it.

            Examples:
              infinity backup --data /var/lib/infinity --to /backups/infinity
              infinity restore --from /backups/infinity --data /var/lib/infinity-restored
            """)

    @OptionGroup var options: DataOptions

    @Option(
        help: ArgumentHelp("The backup folder (created if needed). Example: --to /backups/infinity", valueName: "dir"))
    var to: String

    /// The settings a backup holds: registries (sites, logins, keys, links, goals, funnels,
    /// reports), the import ledgers (which lines of which logs were imported, with their line keys),
    /// and imported history (each import's rows, then the list naming them). Never salts.
    static func settings(in data: String) -> [String] {
        let registries = [
            "sites.json", "users.json", "keys.json", "shares.json", "goals.json", "funnels.json", "reports.json",
        ]
        let imports = ((try? FileManager.default.contentsOfDirectory(atPath: data + "/imports")) ?? [])
            .filter { $0.hasSuffix(".ledger") || $0.hasSuffix(".lines") || $0.hasSuffix(".rows") }.sorted()
            .map { "imports/" + $0 }
        return (registries + imports + ["imports.json"]).filter {
            FileManager.default.fileExists(atPath: data + "/" + $0)
        }
    }

    func run() throws {
        let started = Date()
        let source = options.data
        guard FileManager.default.fileExists(atPath: source + "/journal") else {
            throw CommandFailure("\(source) holds no journal; pass --data with the folder `infinity serve` writes to")
        }
        guard to != source else { throw CommandFailure("--to must be another folder than --data") }
        let manifest = BackupManifest.read(from: to)
        do {
            try FileManager.default.createDirectory(atPath: to + "/imports", withIntermediateDirectories: true)
            // Hits an import hands to a running serve are in the journal or still in the spool: no
            // batch is handed over or taken meanwhile, so the ledgers' copy names every batch, and
            // each is in exactly one of the journal's and the spool's copies.
            let spool = JournalSpool(dataDirectory: source)
            let (settings, rollups, journal, spooled) = try spool.whileNoneIsTaken {
                let settings = Self.settings(in: source)
                for file in settings {
                    try AtomicFile.write(try AtomicFile.read(source + "/" + file), to: to + "/" + file)
                }
                // Rollups first: the journal copied after them holds every record they cover.
                let rollups = try RollupStore(dataDirectory: source).backUp(
                    to: RollupStore(dataDirectory: to), previous: manifest?.rollupStamps ?? [:])
                let journal = try JournalBackup(directory: options.journal).copy(
                    to: JournalDirectory(dataDirectory: to), previous: manifest?.journalStamps ?? [:])
                return (settings, rollups, journal, try spool.copyWaiting(to: JournalSpool(dataDirectory: to)))
            }
            try BackupManifest(
                created: ISO8601DateFormatter().string(from: started), records: journal.endSequence,
                rollupsPosition: rollups.position, journalStamps: journal.stamps, rollupStamps: rollups.stamps
            ).write(to: to)
            let seconds = Date().timeIntervalSince(started)
            print(
                """
                Backed up \(journal.endSequence) journal records into \(to) in \(Format.duration(seconds)): \
                \(journal.copied.count) segments copied, \(journal.unchanged.count) unchanged, \
                \(journal.removed.count) removed; rollups up to record \(rollups.position) (\(rollups.copied) files \
                copied, \(rollups.unchanged) unchanged); \(settings.count) settings files; \
                \(Format.bytes(journal.bytes + rollups.bytes)) written\(spooled > 0 ? "; \(spooled) imported batches waiting for serve" : "").
                Restore with: infinity restore --from \(to) --data NEW_FOLDER
                """)
        } catch let error as JournalError where error.code == .diskFull {
            throw destinationFull(error.file)
        } catch let error as ProjectionError where error.code == .diskFull {
            throw destinationFull(error.file)
        } catch let error as JournalError {
            throw CommandFailure(error.description)
        } catch let error as ProjectionError {
            throw CommandFailure(error.description)
        }
    }

    /// The backup's disk filled up (a backup writes nothing into the data folder).
    private func destinationFull(_ file: String?) -> CommandFailure {
        CommandFailure(
            "the disk of the backup folder \(to) is full\(file.map { " (writing \($0))" } ?? ""); free space there "
                + "or pass another --to, then run the backup again (it copies only what is missing). "
                + "\(options.data) was not changed.")
    }
}

/// `backup.json` in a backup folder: when it was made, what it holds, and the stamps that let the
/// next backup skip what did not change.
struct BackupManifest: Codable {
    var format = 1
    var created: String
    var records: UInt64
    var rollupsPosition: UInt64
    var journalStamps: [String: String]
    var rollupStamps: [String: String]

    init(
        created: String, records: UInt64, rollupsPosition: UInt64, journalStamps: [String: String],
        rollupStamps: [String: String]
    ) {
        self.created = created
        self.records = records
        self.rollupsPosition = rollupsPosition
        self.journalStamps = journalStamps
        self.rollupStamps = rollupStamps
    }

    static let fileName = "backup.json"

    static func read(from folder: String) -> BackupManifest? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(BackupManifest.self, from: data)
    }

    func write(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: folder + "/" + Self.fileName)
    }
}
