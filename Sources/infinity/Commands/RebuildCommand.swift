import ArgumentParser
import Foundation
import Journal
import Projections

/// `infinity rebuild`: recompute the rollups from the journal.
struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute the rollups from the journal alone, then switch to them atomically.",
        discussion: """
            Reads the whole journal once on all cores, folds every site-day into a fresh rollup \
            generation, and makes it current in one atomic step; readers see the old rollups until \
            then. Safe while `infinity serve` runs: its worker carries on from the rebuilt position. \
            Days whose journal records were deleted by retention are kept as they were.
            Examples:
              infinity rebuild --data ./data
              infinity rebuild --site example.com --from 2026-11-01 --jobs 2
              infinity rebuild --skip-corrupt
            """
    )

    @OptionGroup var options: DataOptions

    @Option(help: ArgumentHelp("Parallel jobs (default: one per core). Example: --jobs 2", valueName: "n"))
    var jobs: Int = RebuildOptions.defaultJobs

    @Option(
        help: ArgumentHelp(
            "Only this site; other sites' rollups are kept as they are. Example: --site example.com",
            valueName: "domain"))
    var site: String?

    @Option(
        help: ArgumentHelp(
            "Only days from this site-local date on; earlier days are kept as they are. Example: --from 2026-11-01",
            valueName: "yyyy-mm-dd"))
    var from: String?

    @Flag(
        help:
            "Step over damaged or missing journal data (blocks, segment headers, deleted segments), report which records that cost, and build rollups without them instead of stopping."
    )
    var skipCorrupt = false

    @Option(
        help: ArgumentHelp(
            "Keep rollups only this many days; older days are dropped. Example: --rollup-retention 730",
            valueName: "days"))
    var rollupRetention: Int?

    @Option(help: "Progress output: auto (a bar on a terminal) or none.")
    var progress: ProgressMode = .auto

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, none
    }

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256, not \(jobs)") }
        if let from, DayKey.day(fromISODate: from) == nil {
            throw ValidationError("--from must be a date like 2026-11-01, not '\(from)'")
        }
        if let rollupRetention, rollupRetention < 1 {
            throw ValidationError("--rollup-retention must be at least 1 day, not \(rollupRetention)")
        }
    }

    func run() throws {
        try options.requireOwner()
        let calendar = try options.calendar()
        if let site, calendar.zones[site] == nil {
            let known = calendar.zones.keys.sorted().joined(separator: ", ")
            throw CommandFailure(
                "'\(site)' is not a registered site (registered: \(known.isEmpty ? "none" : known)); see `infinity sites list`"
            )
        }
        guard FileManager.default.fileExists(atPath: options.journal.path) else {
            throw CommandFailure(
                "there is no journal in \(options.data); send hits with `infinity serve` or make some with `infinity generate`"
            )
        }
        BatchMemory.keepFreedMemory()
        let rebuilder = Rebuilder(
            journal: options.journal, store: options.rollups, calendar: calendar,
            options: RebuildOptions(
                jobs: jobs, site: site, fromDay: from.flatMap(DayKey.day(fromISODate:)), skipCorrupt: skipCorrupt,
                rollupDays: rollupRetention),
            logger: Infinity.makeLogger())
        let began = Terminal.seconds()
        var bar: ProgressBar?
        let report = try rebuilder.run { state in
            if bar == nil {
                bar = ProgressBar(
                    title: "rebuild", total: Double(state.recordsTotal), unit: "records",
                    enabled: progress == .auto && Terminal.stderrIsTerminal)
            }
            bar?.update(done: Double(state.recordsDone), count: Double(state.blocksDone), countUnit: "blocks")
        }
        bar?.finish()
        let elapsed = Terminal.seconds() - began
        for damage in report.damaged {
            print("skipped: \(damage) — \(damage.file)")
        }
        print(
            "Rebuilt \(report.daysWritten) site-days from \(report.records) records in \(report.blocks) blocks "
                + "in \(Format.decimal(elapsed)) s (\(Format.count(Double(report.records) / max(elapsed, 0.001))) records/s); "
                + "kept \(report.daysKept) site-days; now current: \(report.generation.name), journal position \(report.position)."
        )
        if !report.damaged.isEmpty {
            print(
                "\(report.lostRecords) records were skipped because of damage. Answers that would have used them say so "
                    + "(meta.warnings); put the damaged or missing segments back from a backup and rebuild again to count them."
            )
        }
    }
}
