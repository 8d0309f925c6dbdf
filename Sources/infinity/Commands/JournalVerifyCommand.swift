import ArgumentParser
import Journal

/// `infinity journal verify`: check every checksum and sequence number.
struct JournalVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every segment, checksum, sequence number and record of the journal.",
        discussion: """
            Exits 0 when the journal is intact and 1 when anything is damaged, after naming the file \
            and byte offset of each problem. An unfinished block at the very end of the newest segment \
            (a write in progress, or one cut short by a crash) is reported but is not damage: it was \
            never acknowledged, and `infinity serve` cuts it when it next opens the journal.
            Example: infinity journal verify --data ./data
            """
    )

    @OptionGroup var options: DataOptions

    func run() throws {
        var bar: ProgressBar?
        let report = try JournalVerifier(directory: options.journal).verify { done, total in
            if bar == nil { bar = ProgressBar(title: "verify", total: Double(total), unit: "segments") }
            bar?.update(done: Double(done), count: Double(done), countUnit: "segments")
        }
        bar?.finish()
        for finding in report.findings { print(finding.description) }
        let damaged = report.findings.filter { $0.severity == .error }.count
        print(
            "\(report.segments) segments, \(report.blocks) intact blocks, \(report.records) records: "
                + (damaged == 0 ? "OK" : "\(damaged) problem\(damaged == 1 ? "" : "s") found"))
        if damaged > 0 { throw ExitCode(1) }
    }
}
