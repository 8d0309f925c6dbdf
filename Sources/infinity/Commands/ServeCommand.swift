import ArgumentParser
import Foundation
import Ingest
import Journal
import Logging
import Metrics
import Projections
import Prometheus
import Query
import Server
import ServiceLifecycle
import Synchronization

/// `infinity serve`: the ingestion server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the ingestion server: the event API, the tracker script, health and metrics.",
        discussion: """
            Every accepted hit is anonymized and appended to the journal; by default the answer (202) \
            is sent only once the hit is fsynced. SIGTERM or SIGINT stops accepting, flushes the \
            journal and exits 0. A projection worker folds new hits into the rollups every few seconds \
            (the first start builds them from the journal). Settings may also come from INFINITY_DATA, INFINITY_LISTEN, \
            INFINITY_GEOIP, INFINITY_TRUSTED_PROXIES (comma-separated), INFINITY_ACK, INFINITY_RETENTION and \
            INFINITY_ROLLUP_RETENTION, or from a \
            config file (--config, default ./infinity.toml when it exists; see Docs/operations.md). \
            Flags win over the environment, which wins over the file.
            Example: infinity serve --data /var/lib/infinity --listen 0.0.0.0:8080 --geoip GeoLite2-Country.mmdb
            """
    )

    @Option(
        help: ArgumentHelp(
            "A settings file (default: ./infinity.toml if it exists). Example: --config /etc/infinity.toml",
            valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The data folder. Example: --data /var/lib/infinity", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("Address and port to listen on. Example: --listen 0.0.0.0:8080", valueName: "host:port"))
    var listen: String?

    @OptionGroup var mail: MailOptions

    @Option(
        help: ArgumentHelp(
            "A MaxMind DB country database (GeoLite2-Country or DB-IP Country Lite); default: the DB-IP Country Lite database shipped with infinity; 'none' for no countries. Example: --geoip ./GeoLite2-Country.mmdb",
            valueName: "file.mmdb"))
    var geoip: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A proxy (address or CIDR block) whose X-Forwarded-For/Forwarded headers are believed; repeat for several. Example: --trusted-proxy 10.0.0.0/8",
            valueName: "cidr"))
    var trustedProxies: [String] = []

    @Option(
        help:
            "When to answer 202: durable (after fsync, the default), written (once in the journal file, fsynced within a second: a crash of infinity loses none, a power cut the last second's) or buffered (at once; a crash can lose queued hits)."
    )
    var ack: String?

    @Option(
        help: ArgumentHelp(
            "Microseconds the journal waits for more hits before it writes and fsyncs a block (default 0 with --ack durable, whose answers wait for the block and its fsync; 250 with --ack written; 500 with --ack buffered). More means fewer, larger fsyncs, at that much added latency; a block stops waiting once every open connection waits for it. Example: --commit-delay 500",
            valueName: "µs"))
    var commitDelay: Int64?

    @Option(
        help: ArgumentHelp(
            "Seconds after which a connection with nothing to read is closed (default 30). Example: --idle-timeout 30",
            valueName: "seconds"))
    var idleTimeout: Int64?

    @Option(
        help: ArgumentHelp(
            "Seconds a connection has to send a complete request before it is closed; stops clients that trickle bytes (default 30). Example: --request-timeout 30",
            valueName: "seconds"))
    var requestTimeout: Int64?

    @Option(
        help: ArgumentHelp(
            "The most connections open at once; more are closed as they arrive, so that a flood of connections cannot use up the descriptors the journal and the rollups need (default: the open-file limit less 256, at most 16384; serve raises its soft open-file limit to the hard one). Example: --max-connections 4096",
            valueName: "n"))
    var maxConnections: Int?

    @Option(
        help: ArgumentHelp(
            "Keep raw journal records this many days (default: forever); checked every hour. Example: --retention 90",
            valueName: "days"))
    var retention: Int?

    @Option(
        help: ArgumentHelp(
            "Keep rollups this many days (default: forever); checked every hour. Example: --rollup-retention 730",
            valueName: "days"))
    var rollupRetention: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds between folds of new hits into the rollups, at least (a fold refolds today whole, so a big day waits up to 15 s, fifty times the fold's time). Example: --fold-interval 2",
            valueName: "seconds"))
    var foldInterval: Int64?

    @Option(
        help: ArgumentHelp(
            "Also copy every journal record into ClickHouse at this HTTP address, exactly once (Docs/clickhouse.md); repeat it for each shard of a cluster. Example: --clickhouse http://127.0.0.1:8123",
            valueName: "url"))
    var clickhouse: [String] = []

    @Option(
        help: ArgumentHelp(
            "The cluster (ClickHouse's <remote_servers>) the --clickhouse shards form. Example: --clickhouse-cluster analytics",
            valueName: "name"))
    var clickhouseCluster: String?

    @Option(help: "The ClickHouse database to write to (created when missing; default infinity).")
    var clickhouseDatabase: String?

    @Option(help: "This node's name in ClickHouse, unique among the nodes sharing it (default: the host name).")
    var node: String?

    @Option(
        help: ArgumentHelp(
            "Where the Stats API and the dashboard take their numbers: local (this node's rollups) or clickhouse (every node's hits, through --clickhouse). Example: --query-from clickhouse",
            valueName: "source"))
    var queryFrom: QuerySource?

    enum QuerySource: String, ExpressibleByArgument, CaseIterable {
        case local, clickhouse
    }

    @Option(
        help: ArgumentHelp(
            "MiB of rollup sections kept in memory for queries and the dashboard (default 256; 0 keeps none). Example: --query-cache 512",
            valueName: "MiB"))
    var queryCache: Int64?

    /// The settings that may change while the server runs (SIGHUP re-reads the config file): from
    /// the flags, else the environment, else the file.
    struct LiveSettings: Equatable {
        var journalDays: Int?
        var rollupDays: Int?
        var proxies: [CIDR]
        var maxConnections: Int
    }

    func liveSettings(file: ConfigFile?, environment: [String: String]) throws -> LiveSettings {
        let journalDays =
            try retention ?? environment["INFINITY_RETENTION"].flatMap { Int($0) }
            ?? file?.number("retention").map(Int.init)
        let rollupDays =
            try rollupRetention ?? environment["INFINITY_ROLLUP_RETENTION"].flatMap { Int($0) }
            ?? file?.number("rollup_retention").map(Int.init)
        for (name, days) in [("retention", journalDays), ("rollup retention", rollupDays)] {
            if let days, days < 1 { throw CommandFailure("the \(name) must be at least 1 day, not \(days)") }
        }
        let proxyTexts =
            try !trustedProxies.isEmpty
            ? trustedProxies
            : environment["INFINITY_TRUSTED_PROXIES"]?.split(separator: ",").map(String.init)
                ?? file?.list("trusted_proxies") ?? []
        let proxies = try proxyTexts.map { text -> CIDR in
            guard let block = CIDR(text.trimmingCharacters(in: .whitespaces)) else {
                throw CommandFailure("trusted proxy '\(text)' is not an address or CIDR block such as 10.0.0.0/8")
            }
            return block
        }
        let maxConnections =
            try self.maxConnections ?? file?.number("max_connections").map { Int(clamping: $0) }
            ?? ConnectionLimit.defaultMaximum(openFiles: OpenFileLimit.current)
        guard (1...1_000_000).contains(maxConnections) else {
            throw CommandFailure("--max-connections must be 1 to 1000000, not \(maxConnections)")
        }
        return LiveSettings(
            journalDays: journalDays, rollupDays: rollupDays, proxies: proxies, maxConnections: maxConnections)
    }

    /// Re-reads the config file at `path` (SIGHUP) and applies what may change live; says what
    /// needs a restart.
    func reload(
        path: String?, environment: [String: String], previous: ConfigFile?, current: LiveSettings,
        apply: (LiveSettings) -> Void, logger: Logger
    ) -> (ConfigFile?, LiveSettings) {
        guard let path else {
            logger.notice("SIGHUP: there is no config file to re-read (start with --config FILE)")
            return (previous, current)
        }
        do {
            let file = try ConfigFile(path: path)
            let settings = try liveSettings(file: file, environment: environment)
            apply(settings)
            let live: Set = ["retention", "rollup_retention", "trusted_proxies", "max_connections"]
            let restart = ConfigFile.keys.subtracting(live).filter {
                file.values[$0] != previous?.values[$0]
            }
            logger.notice(
                "SIGHUP: re-read the config file",
                metadata: [
                    "file": "\(path)", "retention": "\(settings.journalDays.map(String.init) ?? "forever")",
                    "rollup_retention": "\(settings.rollupDays.map(String.init) ?? "forever")",
                    "trusted_proxies": "\(settings.proxies.map(\.description).joined(separator: ","))",
                    "max_connections": "\(settings.maxConnections)",
                ])
            if !restart.isEmpty {
                logger.warning(
                    "SIGHUP: these settings changed but take effect only after a restart: \(restart.sorted().joined(separator: ", "))"
                )
            }
            return (file, settings)
        } catch {
            logger.error(
                "SIGHUP: the config file was not applied; the settings stay as they were",
                metadata: ["error": "\(error)"])
            return (previous, current)
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file: ConfigFile? =
            if let config {
                try ConfigFile(path: config)
            } else if FileManager.default.fileExists(atPath: "infinity.toml") {
                try ConfigFile(path: "infinity.toml")
            } else { nil }
        let dataFolder = try data ?? environment["INFINITY_DATA"] ?? file?.text("data") ?? "./data"
        let address = try listen ?? environment["INFINITY_LISTEN"] ?? file?.text("listen") ?? "127.0.0.1:8080"
        let idleTimeout = try self.idleTimeout ?? file?.number("idle_timeout") ?? 30
        let requestTimeout = try self.requestTimeout ?? file?.number("request_timeout") ?? 30
        guard (1...3600).contains(idleTimeout) else {
            throw CommandFailure("the idle timeout must be 1 to 3600 seconds, not \(idleTimeout)")
        }
        guard (1...3600).contains(requestTimeout) else {
            throw CommandFailure("the request timeout must be 1 to 3600 seconds, not \(requestTimeout)")
        }
        // Before the settings, whose default connection limit follows from it.
        let openFiles = OpenFileLimit.raise()
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw CommandFailure("--listen must be host:port, like 127.0.0.1:8080, not '\(address)'") }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let live = try liveSettings(file: file, environment: environment)
        let (journalDays, rollupDays, proxies) = (live.journalDays, live.rollupDays, live.proxies)
        let maxConnections = live.maxConnections
        let foldSeconds = try foldInterval ?? file?.number("fold_interval") ?? 2
        guard (1...3600).contains(foldSeconds) else {
            throw CommandFailure("the fold interval must be 1 to 3600 seconds, not \(foldSeconds)")
        }
        let cacheMiB = try queryCache ?? file?.number("query_cache") ?? 256
        guard (0...1 << 20).contains(cacheMiB) else {
            throw CommandFailure("the query cache must be 0 to 1048576 MiB, not \(cacheMiB)")
        }
        let cache = cacheMiB == 0 ? nil : SectionCache(capacity: Int(cacheMiB) << 20)
        let ackText = try ack ?? environment["INFINITY_ACK"] ?? file?.text("ack") ?? "durable"
        guard let acknowledgement = ServerConfiguration.Acknowledgement(rawValue: ackText) else {
            throw CommandFailure("--ack must be durable, written or buffered, not '\(ackText)'")
        }
        // ClickHouse, when asked for: one server, or the shards of a cluster (Docs/scale-out.md).
        let clickhouseURLs = try clickhouse.isEmpty ? file?.addresses("clickhouse") ?? [] : clickhouse
        if acknowledgement == .written, !clickhouseURLs.isEmpty {
            // ClickHouse would get hits that a power cut can take from this node's journal, and the
            // sequence numbers given again afterwards would never reach it.
            throw CommandFailure(
                "--ack written cannot be used with --clickhouse: after a power cut ClickHouse would hold hits this node lost, and miss the ones stored next; use --ack durable (the default) on nodes that copy their journal to ClickHouse"
            )
        }
        let commitMicroseconds =
            try commitDelay ?? file?.number("commit_delay") ?? acknowledgement.defaultCommitDelay
        guard (0...100_000).contains(commitMicroseconds) else {
            throw CommandFailure("the commit delay must be 0 to 100000 µs, not \(commitMicroseconds)")
        }
        // Only once every setting is known to be good: a mistake in the config file is named even
        // while another server holds the port.
        try ListenCheck.ensureAvailable(host: host, port: port)
        // Started as root on the service user's data folder (by hand, say), the files serve
        // writes would be root's, and the service could not use them.
        try DataFolderOwner.requireOwner(of: dataFolder, rerun: "infinity serve --data \(dataFolder) …")
        let logger = Infinity.makeLogger()
        logger.info(
            "settings",
            metadata: [
                "idle_timeout": "\(idleTimeout)", "request_timeout": "\(requestTimeout)",
                "max_connections": "\(maxConnections)", "open_files": "\(openFiles.now)",
                "retention": "\(journalDays.map(String.init) ?? "forever")",
                "rollup_retention": "\(rollupDays.map(String.init) ?? "forever")", "fold_interval": "\(foldSeconds)",
                "query_cache": "\(cacheMiB)", "commit_delay": "\(commitMicroseconds)",
                "trusted_proxies": "\(proxies.map(\.description).joined(separator: ","))",
                "config": "\(file?.path ?? "none")",
            ])
        if maxConnections > openFiles.now - ConnectionLimit.reservedFiles {
            logger.warning(
                "\(maxConnections) connections at once leave the server fewer than \(ConnectionLimit.reservedFiles) of its \(openFiles.now) file descriptors for the journal and the rollups",
                metadata: [
                    "hint":
                        "Raise the open-file limit (LimitNOFILE= in a systemd unit, ulimit -Hn in a shell) or lower --max-connections"
                ])
        }
        // The shipped DB-IP database unless another is named; "none" turns countries off.
        let geoipSetting = try geoip ?? environment["INFINITY_GEOIP"] ?? file?.text("geoip")
        let geoipPath = ShippedGeoIP.resolve(geoipSetting)
        if geoipSetting == nil && geoipPath == nil {
            logger.warning(
                "the shipped GeoIP database was not found next to the executable; countries stay empty (pass --geoip FILE.mmdb)"
            )
        }
        let database = try geoipPath.map { try MaxMindDatabase(path: $0) }
        if let database {
            logger.info(
                "countries from \(database.metadata.databaseType)",
                metadata: ["geoip": "\(database.path)", "built": "\(database.metadata.buildEpoch)"])
        }
        let sites = try SiteStore(path: dataFolder + "/sites.json")
        if sites.entries.isEmpty {
            logger.warning(
                "no sites are registered, so every hit will be dropped; add one with `infinity sites add example.com`")
        }
        try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
        let addresses = ClientAddressResolver(trustedProxies: proxies)
        let clickhouseCluster =
            try clickhouseURLs.isEmpty
            ? nil
            : ClickHouseCluster(
                urls: clickhouseURLs,
                database: try clickhouseDatabase ?? file?.text("clickhouse_database") ?? "infinity",
                name: try self.clickhouseCluster ?? file?.text("clickhouse_cluster"))
        let clickhouseClient = clickhouseCluster?.first
        let nodeName = try node ?? file?.text("node") ?? ProcessInfo.processInfo.hostName
        // Daily salts: this node's file, or, with ClickHouse, agreed with every node through it.
        let saltFile = try SaltStore(path: dataFolder + "/salts")
        let sharedSalts = clickhouseClient.map {
            SharedSalts(local: saltFile, client: $0, node: nodeName, logger: logger)
        }
        let pipeline = IngestPipeline(
            sites: sites, visitors: VisitorIdentifier(salts: sharedSalts ?? saltFile), geoip: database,
            addresses: addresses)
        let metrics = ServerMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        var journalConfiguration = JournalConfiguration(
            directory: JournalDirectory(dataDirectory: dataFolder).path,
            commit: CommitPolicy(
                maxDelay: .microseconds(commitMicroseconds), sync: acknowledgement.sync
            ),
            classifiers: pipeline.classifierVersions)
        // A full disk pauses the writer instead of stopping it: hits are refused (503) until there is
        // space again, then stored without a restart.
        journalConfiguration.diskFullRetry = .seconds(1)
        // A block stops waiting for company once every connection waits for it.
        journalConfiguration.appenders = ConcurrentAppenders()
        journalConfiguration.blockObserver = { metrics.recordBlock(bytes: $0) }
        journalConfiguration.syncObserver = { metrics.recordSync(seconds: $0) }
        let writer = try JournalWriter(configuration: journalConfiguration, logger: logger)
        let projections = ProjectionStatus()
        let erasures = try SiteErasures(dataDirectory: dataFolder)
        let calendar = SiteCalendar(zones: sites.timeZones, erasures: erasures.limits)
        let worker = ProjectionWorker(
            journal: JournalDirectory(dataDirectory: dataFolder), store: RollupStore(dataDirectory: dataFolder),
            calendar: calendar, logger: logger)
        let keys = try APIKeyStore(path: dataFolder + "/keys.json")
        let users = try UserStore(path: dataFolder + "/users.json")
        let shares = try ShareStore(path: dataFolder + "/shares.json")
        let definitions = try DefinitionStore(folder: dataFolder)
        let imported = try ImportedStore(folder: dataFolder)
        // E-mail reports, when an SMTP server is set (`smtp_url`, `mail_from`).
        let reports = try ReportStore(path: dataFolder + "/reports.json")
        let smtp = try mail.settings(file: file)
        if smtp == nil && !reports.all.isEmpty {
            logger.warning(
                "reports.json names \(reports.all.count) e-mail reports, but no smtp_url is set; none will be sent")
        }
        let sessions = SessionStore()
        let compacting = Mutex(false)
        // Replication into ClickHouse, when asked for: the replicator and the status it reports to.
        let replication = try clickhouseCluster.map {
            (
                replicator: try JournalReplicator(
                    journal: JournalDirectory(dataDirectory: dataFolder), cluster: $0, node: nodeName, logger: logger),
                status: ReplicationStatus()
            )
        }
        let querySourceName = try queryFrom?.rawValue ?? file?.text("query_from") ?? "local"
        guard let querySource = QuerySource(rawValue: querySourceName) else {
            throw CommandFailure("query_from must be local or clickhouse, not '\(querySourceName)'")
        }
        let engine: QueryEngine
        switch (querySource, clickhouseCluster) {
        case (.local, _):
            engine = QueryEngine(worker: worker, cache: cache, definitions: definitions, imported: imported)
        case (.clickhouse, let cluster?):
            engine = QueryEngine(
                worker: worker, counter: ClickHouseDayCounter(cluster: cluster), definitions: definitions,
                imported: imported)
        case (.clickhouse, nil):
            throw CommandFailure(
                "--query-from clickhouse needs a ClickHouse to read: add --clickhouse http://HOST:8123 (the server replicates into it and asks it)"
            )
        }
        let server = InfinityServer(
            configuration: ServerConfiguration(
                host: host, port: port, acknowledgement: acknowledgement, idleTimeout: idleTimeout,
                requestTimeout: requestTimeout, maxConnections: maxConnections),
            pipeline: pipeline, writer: writer, projections: projections,
            stats: StatsAPI(engine: engine, keys: keys, logger: logger),
            dashboard: Dashboard(
                engine: engine, users: users, shares: shares, sessions: sessions,
                addresses: addresses,
                countryAttribution: database.flatMap {
                    $0.metadata.databaseType.lowercased().contains("dbip") || $0.path.lowercased().contains("dbip")
                        ? "IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0" : nil
                }, definitions: definitions,
                settings: Dashboard.Settings(
                    sites: sites, keys: keys, invites: try InviteStore(path: dataFolder + "/invites.json"), smtp: smtp,
                    deletion: SiteDeletion(
                        dataDirectory: dataFolder, sites: sites, erasures: erasures, definitions: definitions,
                        shares: shares, keys: keys, reports: reports, imported: imported, calendar: calendar)),
                logger: logger),
            replication: replication?.status, metrics: metrics, logger: logger)
        let app = server.application { bound in
            let shown = host.contains(":") ? "[\(host)]" : host
            Terminal.writeError(
                """
                infinity is listening on http://\(shown):\(bound) (data: \(dataFolder), ack: \(acknowledgement.rawValue))
                Dashboard: http://\(shown):\(bound)/ (add a login with `infinity users add you@example.com`)
                Paste into your pages:
                  <script defer data-domain="\(sites.entries.first?.domain ?? "example.com")" src="http://\(shown):\(bound)/js/script.js"></script>

                """)
        }
        // Services stop in reverse order: the server stops accepting first, the journal closes last.
        func policy(_ settings: LiveSettings) -> Retention? {
            settings.journalDays != nil || settings.rollupDays != nil
                ? Retention(journalDays: settings.journalDays, rollupDays: settings.rollupDays) : nil
        }
        let retentionPolicy = LiveSetting(policy(live))
        // SIGHUP re-reads the config file: retention, trusted proxies and the connection limit
        // change at once.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "infinity.sighup"))
        let configPath = config ?? (file != nil ? "infinity.toml" : nil)
        let reloadState = Mutex((file, live))
        hangup.setEventHandler {
            reloadState.withLock { state in
                state = reload(
                    path: configPath, environment: environment, previous: state.0, current: state.1,
                    apply: { settings in
                        addresses.update(trustedProxies: settings.proxies)
                        server.connections.update(maximum: settings.maxConnections)
                        retentionPolicy.update(policy(settings))
                    }, logger: logger)
            }
        }
        hangup.resume()
        defer { hangup.cancel() }
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: JournalService(writer: writer, logger: logger)),
                .init(
                    service: SpoolService(
                        consumer: SpoolConsumer(
                            spool: JournalSpool(dataDirectory: dataFolder), writer: writer, logger: logger),
                        metrics: metrics, logger: logger)),
                .init(
                    service: ProjectionService(
                        worker: worker, writer: writer, retention: retentionPolicy,
                        interval: .seconds(foldSeconds), status: projections,
                        housekeeping: {
                            ImportSalts.sweep(dataDirectory: dataFolder)
                            // Live traffic writes small blocks: rewrite sealed segments into full
                            // ones, on a thread of its own so that a long first run never holds up
                            // the folds (a run cut short by shutdown is safe: each segment is
                            // replaced atomically).
                            let claimed = compacting.withLock { running -> Bool in
                                if running { return false }
                                running = true
                                return true
                            }
                            guard claimed else { return }  // the previous run is still going
                            DispatchQueue.global(qos: .utility).async {
                                defer { compacting.withLock { $0 = false } }
                                do {
                                    // Sealed segments are compacted, and deleted sites' records erased.
                                    _ = try JournalCompactor(directory: JournalDirectory(dataDirectory: dataFolder))
                                        .compact(erasing: erasures.limits, logger: logger)
                                } catch {
                                    logger.error(
                                        "compacting the journal failed; it stays as it was",
                                        metadata: ["error": "\(error)"])
                                }
                            }
                        }, logger: logger)),
                .init(
                    service: RegistryWatcher(
                        sites: sites, calendar: calendar,
                        stores: [keys, users, shares, definitions, reports, imported],
                        erasures: erasures, rollups: RollupStore(dataDirectory: dataFolder), logger: logger)),
                .init(service: sessions),
                .init(
                    service: SaltService(logger: logger) { now in
                        if let sharedSalts { return try sharedSalts.sync(now: now, zones: calendar.zones) }
                        var current: [String: Int64] = [:]
                        for (site, zone) in calendar.zones {
                            var clock = LocalClock(zone: zone)
                            current[site] = clock.day(of: now)
                        }
                        return try saltFile.rotate(currentDays: current)
                    }),
                .init(service: app),
            ]
                + (smtp.map { smtp in
                    [.init(service: ReportService(reports: reports, engine: engine, smtp: smtp, logger: logger))]
                } ?? [])
                + (replication.map { replication in
                    [
                        .init(
                            service: ReplicationService(
                                replicator: replication.replicator, durable: { writer.durableSequence },
                                status: replication.status, retention: retentionPolicy,
                                erasures: { calendar.erasures }, logger: logger))
                    ]
                } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // SIGTERM always ends the process: what has not stopped gracefully after 10 s is cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
