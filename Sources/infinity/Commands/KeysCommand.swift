import ArgumentParser
import Foundation
import Server

/// `infinity keys …`: bearer keys for the Stats API.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke keys for the Stats API (POST /api/v2/query).",
        discussion: """
            Keys are stored only as SHA-256 hashes in <data>/keys.json (mode 0600); a key is shown \
            once, when it is created. A running `infinity serve` takes a new key, or a revoked one, at its \
            next request: no restart.
            Example: infinity keys create "Grafana" --site example.com
            """,
        subcommands: [Create.self, List.self, Revoke.self],
        defaultSubcommand: List.self
    )

    static func store(_ options: DataOptions) throws -> APIKeyStore {
        try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
        return try APIKeyStore(path: options.data + "/keys.json")
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a key and print it (once).",
            discussion: "Example: infinity keys create \"Weekly report script\" --site example.com")

        @OptionGroup var options: DataOptions
        @Argument(help: "What the key is for. Example: \"Grafana\"") var name: String
        @Option(help: "A site the key may read (repeatable; default: all sites). Example: --site example.com")
        var site: [String] = []

        func run() throws {
            try options.requireOwner()
            let (entry, token) = try KeysCommand.store(options).create(name: name, sites: site)
            print(token)
            Terminal.writeError(
                "Created key \(entry.id) (\(entry.name)) for \(site.isEmpty ? "all sites" : site.joined(separator: ", ")). "
                    + "It is shown only now. Use it as: curl -H 'Authorization: Bearer \(token.prefix(8))…' -d @query.json http://HOST/api/v2/query\n"
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the keys (ids and names, never the keys).", discussion: "Example: infinity keys list")

        @OptionGroup var options: DataOptions

        func run() throws {
            let entries = try KeysCommand.store(options).all
            guard !entries.isEmpty else {
                print("No keys yet. Create one with: infinity keys create NAME")
                return
            }
            var table = TextTable(["id", "name", "sites", "created"])
            for entry in entries {
                table.add([
                    entry.id, entry.name, entry.sites.isEmpty ? "all" : entry.sites.joined(separator: ", "),
                    Format.timestamp(entry.created),
                ])
            }
            print(table.render(), terminator: "")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a key by its id.",
            discussion:
                "A running `infinity serve` refuses the key from its next request on. Example: infinity keys revoke 3fa85f64"
        )

        @OptionGroup var options: DataOptions
        @Argument(help: "The key's id, as `infinity keys list` shows it.") var id: String

        func run() throws {
            try options.requireOwner()
            guard try KeysCommand.store(options).revoke(id: id) else {
                throw CommandFailure("there is no key with id '\(id)'; see `infinity keys list`")
            }
            print("Revoked key \(id).")
        }
    }
}
