import ArgumentParser
import Foundation
import Journal
import Projections

/// `infinity rollups …`: look at the rollups and bring them up to date.
struct RollupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollups",
        abstract: "Show the rollups' state, or fold new journal records into them.",
        subcommands: [Status.self, Update.self],
        defaultSubcommand: Status.self
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Which generation is current, how far it covers the journal, and its days per site.",
            discussion: "Example: infinity rollups status --data ./data")

        @OptionGroup var options: DataOptions

        func run() throws {
            guard let generation = try options.rollups.current(), let manifest = try generation.manifest() else {
                print("No rollups yet. Make them with: infinity rebuild --data \(options.data)")
                return
            }
            var end: UInt64 = 0
            if FileManager.default.fileExists(atPath: options.journal.path) {
                var headers = try JournalReader(directory: options.journal).headers(
                    BlockSelection(from: manifest.position))
                while let entry = try headers.next() { end = max(end, entry.header.endSequence) }
            }
            let lag = end > manifest.position ? end - manifest.position : 0
            print(
                "generation \(generation.name), format \(manifest.formatVersion), covers the journal up to record \(manifest.position)"
                    + (lag > 0 ? " (\(lag) newer records not folded yet)" : " (up to date)"))
            if let horizon = manifest.horizon {
                print(
                    "journal records before \(Format.timestamp(horizon)) were deleted by retention; their days are kept"
                )
            }
            var table = TextTable(["site", "days", "first", "last", "size"], rightAligned: [1, 4])
            for site in try generation.sites() {
                let days = try generation.days(of: site)
                let size = days.reduce(Int64(0)) { total, day in
                    let path = generation.file(for: DayKey(site: site, day: day))
                    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                    return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
                }
                table.add([
                    site, "\(days.count)", days.first.map(Format.date) ?? "-", days.last.map(Format.date) ?? "-",
                    Format.bytes(size),
                ])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Fold journal records that are newer than the rollups (what `serve` does continuously).",
            discussion: """
                Refolds every site-day the new records touch and then moves the rollups' position; \
                interrupted at any moment, the next run redoes the same days and counts nothing twice. \
                Makes a full rebuild when there are no rollups yet.
                Example: infinity rollups update --data ./data
                """)

        @OptionGroup var options: DataOptions

        func run() throws {
            try options.requireOwner()
            let report = try options.worker().catchUp()
            if report.rebuilt {
                print("Built the rollups from scratch up to journal record \(report.to).")
            } else if report.to == report.from {
                print("Rollups are up to date (journal record \(report.to)).")
            } else {
                print(
                    "Folded journal records \(report.from)..<\(report.to) into \(report.days.count) site-day\(report.days.count == 1 ? "" : "s")."
                )
            }
        }
    }
}
