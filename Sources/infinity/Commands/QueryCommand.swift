import ArgumentParser
import Foundation
import Journal
import Projections
import Query
import Server

/// `infinity query`: ad hoc questions from a terminal or a script.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask for numbers: totals, time series and breakdowns, filtered, compared.",
        discussion: """
            With only a site, prints the overview: headline numbers against the previous period, \
            visitors per day as a sparkline, and the top pages, sources, countries and devices. \
            Answers come from the rollups when they cover the question and from the raw journal when a \
            filter needs it (--format json shows which in "meta"); either way they include hits up to \
            the last durable one.

            Filters: DIMENSION==VALUE (is), != (is not), ~= (contains), !~= (does not contain), \
            =~ (matches a regular expression), !=~ (does not match); several values with |; several \
            --filter flags must all hold. Properties: props:KEY==VALUE.

            Examples:
              infinity query example.com
              infinity query example.com --range 7d --by page --filter 'country==DE' --limit 10
              infinity query example.com --metrics visitors,pageviews --interval day --compare previous
              infinity query example.com --by source --filter 'page~=/blog' --format csv
              infinity query example.com --by goal --metrics visitors,conversion_rate
              infinity query example.com --funnel Signup --range 7d
              infinity query --json request.json      (the same JSON as POST /api/v2/query)
              infinity query example.com --by country --clickhouse http://127.0.0.1:8123
            """
    )

    @OptionGroup var options: DataOptions

    @Argument(help: "The site's domain. Example: example.com")
    var site: String?

    @Option(
        help: ArgumentHelp(
            "today, yesterday, 7d, 28d, 30d, 91d, month, last-month, 6mo, 12mo, year, all, or FROM..TO (dates or local times). Example: --range 2026-11-01..2026-11-29",
            valueName: "range"))
    var range: String = "30d"

    @Option(
        help: ArgumentHelp(
            "Comma-separated: visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration, events, conversion_rate, revenue, percentage. Example: --metrics visitors,bounce_rate",
            valueName: "list"))
    var metrics: String?

    @Option(
        help: ArgumentHelp(
            "Break down by a dimension: page, entry_page, exit_page, hostname, source, referrer, channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, browser, browser_version, os, os_version, device, screen, goal, prop_key, prop, currency, props:KEY. Example: --by country",
            valueName: "dimension"))
    var by: String?

    @Option(
        help: ArgumentHelp(
            "A filter (repeatable; all must hold). Example: --filter 'country==DE' --filter 'page~=/blog'",
            valueName: "filter"))
    var filter: [String] = []

    @Option(help: ArgumentHelp("A time series in buckets: hour, day, week or month. Example: --interval day"))
    var interval: QueryDimension.TimeBucket?

    @Option(
        help: ArgumentHelp(
            "Compare with the previous period or the same days a year earlier. Example: --compare previous"))
    var compare: CompareMode?

    @Option(help: ArgumentHelp("Rows to show at most. Example: --limit 10", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Rows to skip. Example: --offset 10", valueName: "n"))
    var offset: Int = 0

    @Option(
        help: ArgumentHelp(
            "Sort by a metric or dimension, then :asc or :desc (repeatable). Example: --order visitors:desc",
            valueName: "key:dir"))
    var order: [String] = []

    @Option(
        help: ArgumentHelp(
            "Show a funnel defined with `infinity funnels add`: visitors at each step and the conversion from the first. Example: --funnel Signup",
            valueName: "name"))
    var funnel: String?

    @Flag(help: "Leave out imported history (hits from access logs, days from `infinity import plausible|analytics`).")
    var noImported = false

    @Flag(help: "Print the number of visitors in the last five minutes and exit.")
    var realtime = false

    @Option(help: "Output: table (for people), json (the Stats API response), or csv.")
    var format: OutputFormat = .table

    @Option(
        help: ArgumentHelp(
            "Read the request as Stats API v2 JSON from FILE, or - for standard input. Example: --json query.json",
            valueName: "file"))
    var json: String?

    @Option(
        help: ArgumentHelp(
            "Answer from the hits replicated into ClickHouse (every node's) instead of this data folder's rollups; the folder still names the sites. Example: --clickhouse http://127.0.0.1:8123",
            valueName: "url"))
    var clickhouse: String?

    @Option(help: "The ClickHouse database to read (with --clickhouse).")
    var clickhouseDatabase = "infinity"

    @Option(
        help: ArgumentHelp(
            "With --clickhouse: read every shard of this cluster through its Distributed table. Example: --clickhouse-cluster analytics",
            valueName: "name"))
    var clickhouseCluster: String?

    enum CompareMode: String, ExpressibleByArgument, CaseIterable {
        case previous, year
    }

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    func validate() throws {
        if site == nil && json == nil {
            throw ValidationError("name a site (infinity query example.com) or give --json FILE")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if offset < 0 { throw ValidationError("--offset must not be negative") }
    }

    func run() throws {
        let worker = try options.worker()
        let definitions = try GoalsCommand.store(options)
        let imported = try ImportHistoryCommand.store(options)
        let engine =
            try clickhouse.map {
                QueryEngine(
                    worker: worker,
                    counter: ClickHouseDayCounter(
                        cluster: try ClickHouseCluster(
                            urls: [$0], database: clickhouseDatabase, name: clickhouseCluster)),
                    definitions: definitions, imported: imported)
            } ?? QueryEngine(worker: worker, definitions: definitions, imported: imported)
        do {
            if realtime {
                guard let site else { throw ValidationError("--realtime needs a site") }
                let count = try engine.currentVisitors(site: site)
                print(
                    format == .json
                        ? "{\"visitors\":\(count)}"
                        : "\(count) current visitor\(count == 1 ? "" : "s") (last 5 minutes)")
                return
            }
            if let json {
                let data =
                    json == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile()
                    : try Data(contentsOf: URL(fileURLWithPath: json))
                let request = try QueryRequest(json: data, clockFor: worker.calendar.clock(for:))
                try output(request, engine.run(request))
                return
            }
            let request = try makeRequest(clock: worker.calendar.clock(for: site!))
            if metrics == nil && by == nil && filter.isEmpty && interval == nil && format == .table && json == nil
                && funnel == nil
            {
                try Overview(engine: engine, request: request).print()
                return
            }
            try output(request, engine.run(request))
        } catch var error as QueryError {
            // Name the flag rather than the API field when the request came from flags.
            if json == nil, let field = error.field {
                let flags = [
                    "date_range": "--range", "metrics": "--metrics", "dimensions": "--by", "filters": "--filter",
                    "pagination": "--limit/--offset", "site_id": "site",
                ]
                error.field = flags[field] ?? field
            }
            throw CommandFailure(error.description)
        }
    }

    func makeRequest(clock: LocalClock) throws -> QueryRequest {
        var request = QueryRequest(site: site!, dateRange: try DateRange(parsing: range, zone: clock))
        if let metrics {
            request.metrics = try metrics.split(separator: ",").map { name in
                guard let metric = Metric(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw QueryError.init(
                        .invalid,
                        "unknown metric '\(name)'; valid: \(Metric.allCases.map(\.rawValue).joined(separator: ", "))",
                        field: "--metrics")
                }
                return metric
            }
        } else if by == nil && interval == nil {
            request.metrics = [.visitors, .visits, .pageviews, .viewsPerVisit, .bounceRate, .visitDuration]
        } else {
            request.metrics = [.visitors, .pageviews, .bounceRate]
        }
        if let interval { request.dimensions.append(.time(interval)) }
        if let by {
            for name in by.split(separator: ",") {
                guard let dimension = QueryDimension(name: String(name)) else {
                    throw QueryError(
                        .invalid,
                        "unknown dimension '\(name)'; valid: \(Dimension.allCases.map(\.description).joined(separator: ", ")), props:KEY, time:hour, time:day, time:week, time:month",
                        field: "--by")
                }
                request.dimensions.append(dimension)
            }
        }
        let filters = try filter.map { try Filter(commandLine: $0) }
        request.filter = filters.isEmpty ? nil : filters.count == 1 ? filters[0] : .and(filters)
        request.comparison = compare.map { $0 == .previous ? .previousPeriod : .yearOverYear }
        request.limit = limit
        request.offset = offset
        request.includeImported = !noImported
        if let funnel {
            guard metrics == nil, by == nil, interval == nil, compare == nil, order.isEmpty else {
                throw QueryError(
                    .invalid,
                    "a funnel shows visitors and conversion per step; leave out --metrics, --by, --interval, --compare and --order",
                    field: "--funnel")
            }
            request.askFunnel(funnel)
        }
        request.orderBy = try order.map { text in
            let parts = text.split(separator: ":")
            let direction = parts.count > 1 ? String(parts.last!) : "desc"
            guard direction == "asc" || direction == "desc" else {
                throw QueryError(.invalid, "'\(text)' must end in :asc or :desc", field: "--order")
            }
            let key = parts.count > 1 ? parts.dropLast().joined(separator: ":") : text
            return QueryRequest.Order(key: QueryDimension(name: key)?.description ?? key, ascending: direction == "asc")
        }
        return request
    }

    func output(_ request: QueryRequest, _ result: QueryResult) throws {
        switch format {
        case .json: print(String(decoding: result.json(for: request), as: UTF8.self))
        case .csv: print(String(decoding: result.csv(for: request), as: UTF8.self), terminator: "")
        case .table:
            print(ResultTable.describe(request, result))
            print(ResultTable.table(request, result), terminator: "")
            for warning in result.meta.warnings { print("note: \(warning)") }
        }
    }
}

extension QueryDimension.TimeBucket: ExpressibleByArgument {}
