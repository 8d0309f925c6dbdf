import ArgumentParser
import Foundation
import Server

/// `infinity users …`: who may log in to the dashboard.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, list and remove dashboard logins (passwords stored as bcrypt hashes).",
        discussion: "Example: infinity users add owner@example.com   (asks for the password)",
        subcommands: [Add.self, List.self, Remove.self]
    )

    static func store(_ options: DataOptions) throws -> UserStore {
        try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
        return try UserStore(path: options.data + "/users.json")
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a login, or set a new password for it.",
            discussion: """
                Asks for the password twice on a terminal; with --password-stdin it reads one line \
                from standard input (for scripts). At least 10 characters. `infinity serve` reads the \
                users when it starts.
                Example: echo 'correct horse battery' | infinity users add owner@example.com --password-stdin
                """)

        @OptionGroup var options: DataOptions
        @Argument(help: "The e-mail address to log in with.") var email: String
        @Flag(help: "Read the password from standard input instead of asking.") var passwordStdin = false

        func run() throws {
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
                try UsersCommand.store(options).set(email: email, password: password)
            } catch let error as ServerError {
                throw CommandFailure(error.description)
            }
            print(
                "\(email.lowercased()) may log in to the dashboard (a running `infinity serve` takes it within about a second)."
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the logins.", discussion: "Example: infinity users list")
        @OptionGroup var options: DataOptions

        func run() throws {
            let emails = try UsersCommand.store(options).emails
            print(
                emails.isEmpty
                    ? "No logins yet. Add one with: infinity users add owner@example.com"
                    : emails.joined(separator: "\n"))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a login.", discussion: "Example: infinity users remove owner@example.com")
        @OptionGroup var options: DataOptions
        @Argument(help: "The e-mail address.") var email: String

        func run() throws {
            guard try UsersCommand.store(options).remove(email: email) else {
                throw CommandFailure("there is no login '\(email)'; see `infinity users list`")
            }
            print("Removed \(email).")
        }
    }
}
