import ArgumentParser
import Journal

/// `infinity journal …`: look inside the journal.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Inspect and check the journal (the segment files everything is derived from).",
        subcommands: [
            JournalStatCommand.self, JournalVerifyCommand.self, JournalDumpCommand.self, JournalCompactCommand.self,
        ],
        defaultSubcommand: JournalStatCommand.self
    )
}

/// Output formats of commands that print data.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, ndjson

    static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
