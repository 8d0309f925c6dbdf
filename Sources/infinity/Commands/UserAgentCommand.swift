import ArgumentParser
import Foundation
import Ingest

/// `infinity user-agent`: what the classifier makes of user agents — browser, OS, device, and
/// whether the hit would be dropped as a bot or an app client.
struct UserAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user-agent",
        abstract: "Show how user agents are classified: browser, OS, device, and bot or app client.",
        discussion: """
            Nothing is stored. Give user agents as arguments, or one per line on standard input with --stdin.
            Examples:
              infinity user-agent 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
              cut -f2 agents.tsv | infinity user-agent --stdin --format tsv
            """)

    @Argument(help: "User-agent strings (quote each one).")
    var agents: [String] = []

    @Flag(help: "Read user agents from standard input, one per line.")
    var stdin = false

    @Option(help: "Output format: table (for people), tsv or json (one object per line). Example: --format tsv")
    var format: OutputFormat = .table

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, tsv, json
    }

    func validate() throws {
        if agents.isEmpty && !stdin {
            throw ValidationError("give a user agent in quotes, or --stdin to read one per line")
        }
    }

    func run() throws {
        let classifier = UserAgentClassifier()
        var table = TextTable(["client", "browser", "version", "os", "os version", "device", "user agent"])
        func emit(_ agent: String) {
            let info = classifier.classify(agent)
            let fields = [
                info.kind.rawValue, info.browser, info.browserVersion, info.os, info.osVersion,
                info.device.description,
            ]
            switch format {
            case .tsv: print((fields + [agent.replacingOccurrences(of: "\t", with: " ")]).joined(separator: "\t"))
            case .json:
                var object = JSONObject()
                for (key, value) in zip(["client", "browser", "browser_version", "os", "os_version", "device"], fields)
                {
                    object.add(key, value)
                }
                object.add("user_agent", agent)
                print(object.json)
            case .table: table.add(fields + [String(agent.prefix(60))])
            }
        }
        for agent in agents { emit(agent) }
        if stdin {
            while let line = readLine(strippingNewline: true) { emit(line) }
        }
        if format == .table { print(table.render(), terminator: "") }
    }
}
