import ArgumentParser
import Foundation
import Ingest
import Query

/// `infinity goals`: the conversions a site counts.
struct GoalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goals",
        abstract: "Define, list and remove a site's goals (custom events or page views that count as conversions).",
        discussion: """
            A goal is a custom event (optionally only with given property values), a page view \
            whose path matches a pattern (* stands for anything within one path segment, ** for \
            anything across segments), or such a page scrolled to a depth (from the tracker's \
            engagement reports). Once defined, `goal==NAME` filters by it and `--by goal` lists \
            the defined goals with their conversions, conversion rate and revenue. A running \
            `infinity serve` takes changes within about a second.

            Examples:
              infinity goals add example.com --event Signup
              infinity goals add example.com --event Purchase --property plan=pro --name 'Pro purchase'
              infinity goals add example.com --page '/blog/**'
              infinity goals add example.com --page '/product/*/buy' --name Checkout
              infinity goals add example.com --page '/blog/**' --scroll 75
              infinity goals list example.com
              infinity goals remove example.com 'Visit /blog/**'
              infinity query example.com --by goal --metrics visitors,events,conversion_rate,revenue
            """,
        subcommands: [Add.self, List.self, Remove.self])

    /// The registered site named `domain`, or a failure that says how to register it.
    static func site(_ domain: String, options: DataOptions) throws -> String {
        let sites = try SiteStore(path: options.data + "/sites.json")
        guard let site = sites.site(for: domain.lowercased()) else {
            throw CommandFailure("'\(domain)' is not a registered site; see `infinity sites list`")
        }
        return site.domain
    }

    static func store(_ options: DataOptions) throws -> DefinitionStore {
        do {
            return try DefinitionStore(folder: options.data)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Define a goal.",
            discussion: """
                Examples:
                  infinity goals add example.com --event Signup
                  infinity goals add example.com --event Purchase --property plan=pro
                  infinity goals add example.com --page '/blog/**' --name 'Read the blog'
                """)
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Option(help: ArgumentHelp("A custom event's name. Example: --event Signup", valueName: "name"))
        var event: String?
        @Option(
            help: ArgumentHelp(
                "With --event: a property the event must have (repeatable). Example: --property plan=pro",
                valueName: "key=value"))
        var property: [String] = []
        @Option(help: ArgumentHelp("A page path pattern. Example: --page '/blog/**'", valueName: "pattern"))
        var page: String?
        @Option(
            help: ArgumentHelp(
                "The goal's name (default: the event's name, 'Visit PATTERN' or 'Scroll N% on PATTERN'). Example: --name Checkout",
                valueName: "name"))
        var name: String?
        @Option(
            help: ArgumentHelp(
                "With --page: the goal is that page scrolled to at least this depth, 1 to 100 %. Example: --scroll 75",
                valueName: "percent"))
        var scroll: Int?

        func validate() throws {
            guard (event != nil) != (page != nil) else {
                throw ValidationError("give either --event NAME or --page PATTERN")
            }
            if page != nil && !property.isEmpty { throw ValidationError("--property goes with --event") }
            if let scroll {
                guard page != nil else { throw ValidationError("--scroll goes with --page") }
                guard (1...100).contains(scroll) else {
                    throw ValidationError("--scroll is a depth from 1 to 100 (percent)")
                }
            }
        }

        func run() throws {
            try options.requireOwner()
            let domain = try GoalsCommand.site(site, options: options)
            var properties: [String: String] = [:]
            for pair in property {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw ValidationError("'\(pair)' is not KEY=VALUE; write e.g. --property plan=pro")
                }
                properties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            let goal =
                if let event {
                    Goal.event(site: domain, event, properties: properties, name: name)
                } else if let scroll {
                    Goal.scroll(site: domain, page!, depth: scroll, name: name)
                } else {
                    Goal.page(site: domain, page!, name: name)
                }
            do {
                try GoalsCommand.store(options).add(goal)
            } catch let error as QueryError {
                throw CommandFailure(error.message)
            }
            print(
                "\(domain) counts the goal '\(goal.name)' (a running `infinity serve` takes it within about a second); try `infinity query \(domain) --by goal --metrics visitors,conversion_rate`"
            )
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List a site's goals.", discussion: "Example: infinity goals list example.com")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Option(help: "Output: table or json.") var format: ListFormat = .table

        func run() throws {
            let domain = try GoalsCommand.site(site, options: options)
            let goals = try GoalsCommand.store(options).goals(of: domain)
            switch format {
            case .json: print(try GoalsCommand.json(goals))
            case .table:
                guard !goals.isEmpty else {
                    print("\(domain) has no goals; define one with `infinity goals add \(domain) --event NAME`.")
                    return
                }
                var table = TextTable(["name", "kind", "condition"])
                for goal in goals { table.add([goal.name, goal.kind.rawValue, goal.conditionText]) }
                print(table.render(), terminator: "")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a goal (the hits stay; only the definition goes).",
            discussion: "Example: infinity goals remove example.com Signup")
        @OptionGroup var options: DataOptions
        @Argument(help: "The site. Example: example.com") var site: String
        @Argument(help: "The goal's name, as `infinity goals list` shows it.") var name: String

        func run() throws {
            try options.requireOwner()
            let domain = try GoalsCommand.site(site, options: options)
            guard try GoalsCommand.store(options).removeGoal(site: domain, name: name) else {
                throw CommandFailure("\(domain) has no goal named '\(name)'; see `infinity goals list \(domain)`")
            }
            print("Removed the goal '\(name)' of \(domain).")
        }
    }

    /// Definitions as pretty JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    enum ListFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }
}

extension Goal {
    /// The condition in words, for lists.
    var conditionText: String {
        switch kind {
        case .event:
            let conditions = (properties ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "event \(event ?? "")" + (conditions.isEmpty ? "" : " with " + conditions.joined(separator: ", "))
        case .page: return "page view of \(path ?? "")"
        case .scroll: return "\(path ?? "") scrolled to \(scrollDepth ?? 0)%"
        }
    }
}
