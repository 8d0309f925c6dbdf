import ArgumentParser
import Foundation
import Server

/// `infinity users …`: who may log in to the dashboard.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list and remove dashboard logins (passwords stored as bcrypt hashes).",
        discussion: "Example: infinity users add owner@example.com   (asks for the password)",
        subcommands: [Add.self, List.self, Remove.self],
        defaultSubcommand: List.self
    )

    static func store(_ options: DataOptions) throws -> UserStore {
        try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
        return try UserStore(path: options.data + "/users.json")
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a login, or set a new password for it.",
            discussion: """
                Asks for the password twice on a terminal; with --password-stdin it reads one line \
                from standard input (for scripts). At least 10 characters. An owner may do everything \
                in the dashboard (goals, funnels, settings); a viewer only reads the numbers. A running \
                `infinity serve` takes the change at once.
                Examples:
                  echo 'correct horse battery' | infinity users add owner@example.com --password-stdin
                  infinity users add colleague@example.com --role viewer
                """)

        @OptionGroup var options: DataOptions
        @Argument(help: "The e-mail address to log in with.") var email: String
        @Flag(help: "Read the password from standard input instead of asking.") var passwordStdin = false
        @Option(
            help: ArgumentHelp(
                "owner (everything) or viewer (read only); default: owner for a new login, unchanged for an existing one.",
                valueName: "role"))
        var role: UserStore.Role?

        func run() throws {
            try options.requireOwner()
            let password: String
            if passwordStdin {
                password = (readLine(strippingNewline: true) ?? "")
            } else {
                guard let first = getpass("Password for \(email): ").map({ String(cString: $0) }),
                    let second = getpass("Again: ").map({ String(cString: $0) })
                else { throw CommandFailure("no password given") }
                guard first == second else { throw CommandFailure("the two passwords differ; nothing changed") }
                password = first
            }
            do {
                try UsersCommand.store(options).set(email: email, password: password, role: role)
            } catch let error as ServerError {
                throw CommandFailure(error.description)
            }
            print(
                "\(email.lowercased()) may log in to the dashboard (a running `infinity serve` takes it at once)."
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the logins.", discussion: "Example: infinity users list")
        @OptionGroup var options: DataOptions

        func run() throws {
            let users = try UsersCommand.store(options).roles
            print(
                users.isEmpty
                    ? "No logins yet. Add one with: infinity users add owner@example.com"
                    : users.map { "\($0.email)  \($0.role.rawValue)" }.joined(separator: "\n"))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a login.", discussion: "Example: infinity users remove owner@example.com")
        @OptionGroup var options: DataOptions
        @Argument(help: "The e-mail address.") var email: String

        func run() throws {
            try options.requireOwner()
            guard try UsersCommand.store(options).remove(email: email) else {
                throw CommandFailure("there is no login '\(email)'; see `infinity users list`")
            }
            print("Removed \(email).")
        }
    }
}

extension UserStore.Role: ExpressibleByArgument {}
