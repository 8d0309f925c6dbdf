import ArgumentParser
import Foundation
import Projections
import Query
import Server

/// `infinity reports`: weekly and monthly summaries by e-mail.
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "E-mail reports: weekly or monthly summaries of a site, sent by `infinity serve` or now.",
        discussion: """
            A report holds the period's visitors, page views, bounce rate and visit duration with their \\
            change against the period before, and the top pages and sources. `infinity serve` sends each \\
            once its week (Monday to Sunday) or month is over in the site's time zone, through the SMTP \\
            server of --smtp-url (or smtp_url in the config file); a new recipient gets the last whole \\
            period at once.

            Examples:
              infinity reports add example.com --to owner@example.com --period week
              infinity reports list
              infinity reports send example.com --to owner@example.com --period month --smtp-url smtp://mail.example.com:587
              infinity reports remove example.com --to owner@example.com
            """,
        subcommands: [Add.self, List.self, Remove.self, Send.self],
        defaultSubcommand: List.self)

    static func store(_ options: DataOptions) throws -> ReportStore {
        do {
            return try ReportStore(path: options.data + "/reports.json")
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Send a site's report to someone every week or month.",
            discussion: "Example: infinity reports add example.com --to owner@example.com --period week")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Option(help: ArgumentHelp("The recipient. Example: --to owner@example.com", valueName: "address")) var to:
            String
        @Option(help: "week or month.") var period: ReportPeriod = .week

        func run() throws {
            try options.requireOwner()
            let domain = try GoalsCommand.site(site, options: options)
            do {
                try ReportsCommand.store(options).add(site: domain, email: to, period: period)
            } catch let error as ServerError {
                throw CommandFailure(error.description)
            }
            print(
                "\(to.lowercased()) gets the \(period.rawValue)ly report of \(domain) from a running `infinity serve` with an SMTP server (--smtp-url)."
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the reports.", discussion: "Example: infinity reports list")
        @OptionGroup var options: DataOptions

        func run() throws {
            let all = try ReportsCommand.store(options).all
            guard !all.isEmpty else {
                print("No reports yet; add one with `infinity reports add example.com --to owner@example.com`.")
                return
            }
            var table = TextTable(["site", "to", "period", "last sent"])
            for entry in all { table.add([entry.site, entry.email, entry.period.rawValue, entry.lastSent ?? "never"]) }
            print(table.render(), terminator: "")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Stop a report.",
            discussion: "Example: infinity reports remove example.com --to owner@example.com")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site.") var site: String
        @Option(help: ArgumentHelp("The recipient.", valueName: "address")) var to: String

        func run() throws {
            try options.requireOwner()
            guard try ReportsCommand.store(options).remove(site: site.lowercased(), email: to) else {
                throw CommandFailure("\(to) gets no report of \(site); see `infinity reports list`")
            }
            print("\(to) no longer gets the report of \(site).")
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send",
            abstract: "Send a site's report for the last whole week or month now.",
            discussion: """
                Example: infinity reports send example.com --to owner@example.com --period week --smtp-url smtp://127.0.0.1:2525
                """)
        @OptionGroup var options: DataOptions
        @OptionGroup var mail: MailOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Option(help: ArgumentHelp("The recipient. Example: --to owner@example.com", valueName: "address")) var to:
            String
        @Option(help: "week or month.") var period: ReportPeriod = .week
        @Option(help: ArgumentHelp("A config file with smtp_url and mail_from.", valueName: "file")) var config: String?

        func run() async throws {
            try options.requireOwner()
            let domain = try GoalsCommand.site(site, options: options)
            guard let smtp = try mail.settings(file: try config.map { try ConfigFile(path: $0) }) else {
                throw CommandFailure(
                    "no SMTP server is set; pass --smtp-url smtp://host:port (or set smtp_url in the config file)")
            }
            let engine = QueryEngine(
                worker: try options.worker(), definitions: try GoalsCommand.store(options),
                imported: try ImportHistoryCommand.store(options))
            let message = try EmailReport.make(
                site: domain, period: period, to: to, engine: engine, now: QueryEngine.now())
            do {
                try await SMTPClient(settings: smtp).send(message)
            } catch {
                throw CommandFailure("the report could not be sent: \(error)")
            }
            print("Sent \"\(message.subject)\" to \(to) through \(smtp.host):\(smtp.port).")
        }
    }
}

extension ReportPeriod: ExpressibleByArgument {}
