import ArgumentParser
import Foundation
import Ingest
import Journal

/// `infinity referrer`: which source and channel a referrer (and campaign tags) would be counted
/// under.
struct ReferrerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrer",
        abstract: "Show the source and channel a referrer URL is counted under.",
        discussion: """
            Nothing is stored. Give referrer URLs as arguments, or one per line on standard input with --stdin.
            Examples:
              infinity referrer https://www.google.de/ https://mail.google.com/mail/u/0/
              infinity referrer --utm-source newsletter --utm-medium email https://example.org/
            """)

    @Argument(help: "Referrer URLs.")
    var referrers: [String] = []

    @Flag(help: "Read referrer URLs from standard input, one per line.")
    var stdin = false

    @Option(help: "The landing page's host; a referrer on it is a self-referral. Example: --site example.com")
    var site = "example.com"

    @Option(help: "utm_source of the landing URL.")
    var utmSource = ""

    @Option(help: "utm_medium of the landing URL.")
    var utmMedium = ""

    @Option(help: "Output format: table (for people) or tsv. Example: --format tsv")
    var format: OutputFormat = .table

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, tsv
    }

    func validate() throws {
        if referrers.isEmpty && !stdin { throw ValidationError("give a referrer URL, or --stdin to read one per line") }
    }

    func run() throws {
        var table = TextTable(["channel", "source", "referrer"])
        // The landing page's host as the pipeline has it: lower-case, without `www.`.
        let pageHost = PageURL.parse("https://\(site)/", hashRouting: false)?.host ?? site
        func emit(_ referrer: String) {
            let result = TrafficSource.classify(
                referrerURL: referrer, pageHost: pageHost, utm: UTM(source: utmSource, medium: utmMedium),
                refParameter: "")
            // The pipeline counts a referrer it cannot read as no referrer: say so.
            let readable = PageURL.parseReferrer(referrer) != nil
            let channel = result.channel.description + (readable ? "" : " (not an http(s) URL)")
            let fields = [channel, result.source, referrer]
            if format == .tsv { print(fields.joined(separator: "\t")) } else { table.add(fields) }
        }
        for referrer in referrers { emit(referrer) }
        if stdin {
            while let line = readLine(strippingNewline: true) { emit(line) }
        }
        if format == .table { print(table.render(), terminator: "") }
    }
}
