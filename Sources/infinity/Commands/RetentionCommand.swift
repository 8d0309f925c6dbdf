import ArgumentParser
import Foundation
import Projections

/// `infinity retention`: delete old journal segments and old rollups once (e.g. from cron).
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Delete journal segments and rollups older than the given ages.",
        discussion: """
            Raw journal records and rollups have separate ages: rollups are small and usually kept \
            much longer. Before journal segments go, the rollups are brought up to date, so the numbers \
            of those days survive in the rollups. Only whole sealed segments are deleted, so a few \
            records slightly older than the cutoff may stay until their segment is entirely old. \
            `infinity serve` applies the same settings (--retention, --rollup-retention) every hour.
            Example: infinity retention --retention 90 --rollup-retention 730
            """
    )

    @OptionGroup var options: DataOptions

    @Option(
        help: ArgumentHelp("Keep raw journal records this many days. Example: --retention 90", valueName: "days"))
    var retention: Int?

    @Option(help: ArgumentHelp("Keep rollups this many days. Example: --rollup-retention 730", valueName: "days"))
    var rollupRetention: Int?

    func validate() throws {
        guard retention != nil || rollupRetention != nil else {
            throw ValidationError("give --retention DAYS, --rollup-retention DAYS, or both")
        }
        for (flag, value) in [("--retention", retention), ("--rollup-retention", rollupRetention)] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1 day, not \(value)") }
        }
    }

    func run() throws {
        try options.requireOwner()
        let report = try Retention(journalDays: retention, rollupDays: rollupRetention).apply(
            now: Int64(Date().timeIntervalSince1970 * 1000), worker: try options.worker(), logger: Infinity.makeLogger()
        )
        print(
            "Deleted \(report.segments.count) journal segment\(report.segments.count == 1 ? "" : "s") and "
                + "\(report.days.count) site-day rollup\(report.days.count == 1 ? "" : "s").")
    }
}
