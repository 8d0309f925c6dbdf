import ArgumentParser
import Foundation
import Journal
import Projections

/// `infinity restore`: a backup made with `infinity backup` into a new data folder.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring a backup made with `infinity backup` back into an empty data folder.",
        discussion: """
            The data folder must not hold a journal yet (move the old one aside first), so a restore \
            never mixes two histories. Then start `infinity serve --data FOLDER`: it continues the \
            journal where the backup ends and brings the rollups up to date.

            Example:
              infinity restore --from /backups/infinity --data /var/lib/infinity
            """)

    @OptionGroup var options: DataOptions

    @Option(help: ArgumentHelp("The backup folder. Example: --from /backups/infinity", valueName: "dir"))
    var from: String

    func run() throws {
        guard let manifest = BackupManifest.read(from: from) else {
            throw CommandFailure(
                "\(from) is not a backup (it has no \(BackupManifest.fileName)); make one with `infinity backup --to \(from)`"
            )
        }
        let target = options.data
        let journal = options.journal.path
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: journal),
            existing.contains(where: { $0.hasSuffix(".seg") })
        {
            throw CommandFailure(
                "\(target) already holds a journal; restore into an empty folder, or move \(journal) aside first")
        }
        let files = FileManager.default.enumerator(atPath: from)
        var copied = 0
        do {
            while let relative = files?.nextObject() as? String {
                let source = from + "/" + relative
                var isDirectory: ObjCBool = false
                guard relative != BackupManifest.fileName, !relative.hasSuffix(".tmp"),
                    FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue
                else { continue }
                let destination = target + "/" + relative
                try FileManager.default.createDirectory(
                    atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                // Sealed segments stay read-only; the segment the writer continues stays writable.
                let mode =
                    (try FileManager.default.attributesOfItem(atPath: source)[.posixPermissions] as? Int) ?? 0o644
                try AtomicFile.write(try AtomicFile.read(source), to: destination, mode: mode_t(mode))
                copied += 1
            }
            // A backup of a server that had stored nothing yet has an empty journal folder.
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
        } catch let error as JournalError {
            throw CommandFailure(error.description)
        }
        let verified = try JournalVerifier(directory: options.journal).verify()
        guard verified.isClean else {
            throw CommandFailure(
                "the restored journal has damage; see `infinity journal verify --data \(target)`, and check the backup folder \(from)"
            )
        }
        // Imported hits that an import had handed to serve and serve had not stored yet when the
        // backup was made: stored now, so that the restored folder answers with them at once.
        do {
            _ = try SpoolHandOff(
                spool: JournalSpool(dataDirectory: target),
                journal: SpoolHandOff.journalConfiguration(options.journal.path), logger: Infinity.makeLogger()
            ).storeHere()
        } catch {
            throw CommandFailure(
                "the imported hits waiting in the backup's spool could not be stored: \(error); "
                    + "`infinity serve --data \(target)` stores them when it starts")
        }
        // A backup that stopped part-way (a full disk, Ctrl-C) into a folder that held an older one
        // can hold rollups newer than its journal. The worker's catch-up recounts rollups that are
        // ahead of the journal (and folds any records they lack), so the server starts current.
        let rollupsPosition: UInt64
        do {
            let end = try JournalReader(directory: options.journal).endSequence()
            if let position = try? options.rollups.current()?.manifest()?.position, position > end {
                Terminal.writeError(
                    "The backup's rollups cover more records than its journal holds (a backup that did not "
                        + "complete); recounting the rollups from the restored journal.\n")
            }
            rollupsPosition = try options.worker().catchUp().to
        } catch {
            throw CommandFailure(
                "the restored rollups could not be brought up to date with the restored journal: \(error); "
                    + "run `infinity rebuild --data \(target)` before starting the server")
        }
        print(
            """
            Restored the backup of \(manifest.created) into \(target): \(copied) files, \(verified.records) journal records, \
            rollups up to record \(rollupsPosition).
            Start the server with: infinity serve --data \(target)
            """)
    }
}
