import ArgumentParser
import Foundation
import Logging

/// The `infinity` command: self-hosted, cookieless web analytics.
@main
struct Infinity: AsyncParsableCommand {
    /// Every command names itself (`commandName`). Otherwise ArgumentParser derives each name with
    /// `String(describing:)`, and its dynamic casts scan all the binary's protocol conformances,
    /// at every start: about 2.5 ms of CPU (of 25–27) for every `infinity` command.
    static let configuration = CommandConfiguration(
        commandName: "infinity",
        abstract: "Self-hosted, cookieless, privacy-first web analytics.",
        discussion: """
            Every accepted hit is anonymized and appended to an immutable journal of LZ4-compressed \
            segment files under the data folder (default ./data); everything else is derived from it.

            Start with synthetic traffic:
              infinity generate --site example.com --days 30 --hits-per-day 10000
              infinity journal stat
            """,
        subcommands: [
            ServeCommand.self, SitesCommand.self, GenerateCommand.self, RebuildCommand.self, RollupsCommand.self,
            RetentionCommand.self, QueryCommand.self, ExportCommand.self, KeysCommand.self, UsersCommand.self,
            ImportCommand.self, GoalsCommand.self, FunnelsCommand.self, BackupCommand.self, RestoreCommand.self,
            ReportsCommand.self,
            JournalCommand.self, UserAgentCommand.self, ReferrerCommand.self, ReplicateCommand.self,
        ]
    )

    /// Runs the command line; a mistyped command name, or a group's mistyped subcommand, gets a
    /// suggestion instead of ArgumentParser's "unexpected argument".
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let help = CommandSuggestion.helpRequest(in: arguments) { arguments = help }
        if let mistake = CommandSuggestion.mistake(in: arguments) {
            Terminal.writeError(mistake.message)
            Foundation.exit(64)
        }
        do {
            var command = try parseWithSiteOption(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Parses the command line. `generate`, `import` and `rebuild` take `--site DOMAIN`, while
    /// `query`, `export`, `goals`, `funnels` and `reports` take the site as an argument; a command
    /// line that fails to parse with `--site DOMAIN` is tried again with the domain as an argument,
    /// so that either spelling works everywhere. The first error is the one reported.
    static func parseWithSiteOption(_ arguments: [String]) throws -> ParsableCommand {
        do {
            return try parseAsRoot(arguments)
        } catch {
            var rewritten: [String] = []
            var index = arguments.startIndex
            while index < arguments.endIndex {
                let argument = arguments[index]
                if argument == "--site", index + 1 < arguments.endIndex {
                    rewritten.append(arguments[index + 1])
                    index += 2
                    continue
                }
                rewritten.append(argument.hasPrefix("--site=") ? String(argument.dropFirst(7)) : argument)
                index += 1
            }
            guard rewritten != arguments, let command = try? parseAsRoot(rewritten) else { throw error }
            return command
        }
    }

    /// Log lines go to standard error so that standard output stays clean for data.
    static func makeLogger(verbose: Bool = false) -> Logger {
        var logger = Logger(label: "infinity") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .info
        return logger
    }
}
