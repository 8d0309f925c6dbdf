import ArgumentParser
import Foundation
import Query

/// `infinity funnels`: ordered paths through a site.
struct FunnelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funnels",
        abstract: "Define, list and remove a site's funnels (2 to 8 steps a visit takes in order).",
        discussion: """
            Each step is a condition in the filter syntax of `infinity query` (page==/pricing, \
            page~=/docs, goal==Signup, where a defined goal's name stands for its definition). A visit \
            reaches a step when it matched every step before it in order; other pages in between are \
            allowed. `infinity query SITE --funnel NAME` shows the visitors at each step and the \
            conversion from the first. A running `infinity serve` takes changes within about a second.

            Examples:
              infinity funnels add example.com Signup --step 'page==/' --step 'page==/pricing' --step 'goal==Signup'
              infinity funnels list example.com
              infinity query example.com --funnel Signup --range 30d
              infinity funnels remove example.com Signup
            """,
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Define a funnel.",
            discussion: """
                Example:
                  infinity funnels add example.com Signup --step 'page==/' --step 'page==/pricing' --step 'goal==Signup'
                """)
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Argument(help: "The funnel's name. Example: Signup") var name: String
        @Option(
            help: ArgumentHelp(
                "A step, in order (2 to 8 of them), in the filter syntax. Example: --step 'page==/pricing'",
                valueName: "condition"))
        var step: [String] = []

        func run() throws {
            try options.requireOwner()
            let domain = try GoalsCommand.site(site, options: options)
            let funnel = Funnel(site: domain, name: name, steps: step)
            do {
                try GoalsCommand.store(options).add(funnel)
            } catch let error as QueryError {
                throw CommandFailure(error.message)
            }
            print(
                "\(domain) has the funnel '\(name)' (\(step.count) steps; a running `infinity serve` takes it within about a second); try `infinity query \(domain) --funnel '\(name)'`"
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List a site's funnels.", discussion: "Example: infinity funnels list example.com")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Option(help: "Output: table or json.") var format: GoalsCommand.ListFormat = .table

        func run() throws {
            let domain = try GoalsCommand.site(site, options: options)
            let funnels = try GoalsCommand.store(options).funnels(of: domain)
            switch format {
            case .json: print(try GoalsCommand.json(funnels))
            case .table:
                guard !funnels.isEmpty else {
                    print(
                        "\(domain) has no funnels; define one with `infinity funnels add \(domain) NAME --step … --step …`."
                    )
                    return
                }
                var table = TextTable(["name", "steps"])
                for funnel in funnels { table.add([funnel.name, funnel.steps.joined(separator: "  →  ")]) }
                print(table.render(), terminator: "")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a funnel (the hits stay; only the definition goes).",
            discussion: "Example: infinity funnels remove example.com Signup")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Argument(help: "The funnel's name, as `infinity funnels list` shows it.") var name: String

        func run() throws {
            try options.requireOwner()
            let domain = try GoalsCommand.site(site, options: options)
            guard try GoalsCommand.store(options).removeFunnel(site: domain, name: name) else {
                throw CommandFailure("\(domain) has no funnel named '\(name)'; see `infinity funnels list \(domain)`")
            }
            print("Removed the funnel '\(name)' of \(domain).")
        }
    }
}
