import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Ingest
import Journal
import Logging
import NIOCore

/// The HTTP side of `infinity serve`: the event API, the tracker script, health and metrics.
public struct InfinityServer: Sendable {
    /// How to listen and acknowledge.
    public let configuration: ServerConfiguration
    /// The ingest pipeline.
    public let pipeline: IngestPipeline
    /// The journal writer.
    public let writer: JournalWriter
    /// What the projection worker last did, when one runs.
    public let projections: ProjectionStatus?
    /// The Stats API, when it is served.
    public let stats: StatsAPI?
    /// The dashboard, when it is served.
    public let dashboard: Dashboard?
    /// How far replication into ClickHouse got, when it runs.
    public let replication: ReplicationStatus?
    /// What `/metrics` shows.
    public let serverMetrics: ServerMetrics
    /// The connections open now, against ``ServerConfiguration/maxConnections``.
    public let connections: ConnectionLimit
    /// Says, at most once a minute, that connections were closed at the limit.
    private let limitLog: ConnectionLimitLog
    let logger: Logger
    /// Shared by every request's ``EventEndpoint``.
    private let failureLog = ThrottledLog()

    /// A server over `pipeline` and `writer`.
    public init(
        configuration: ServerConfiguration, pipeline: IngestPipeline, writer: JournalWriter,
        projections: ProjectionStatus? = nil, stats: StatsAPI? = nil, dashboard: Dashboard? = nil,
        replication: ReplicationStatus? = nil, metrics: ServerMetrics = ServerMetrics(), logger: Logger
    ) {
        self.replication = replication
        self.serverMetrics = metrics
        self.stats = stats
        self.dashboard = dashboard
        self.configuration = configuration
        self.connections = ConnectionLimit(maximum: configuration.maxConnections)
        self.limitLog = ConnectionLimitLog(logger: logger)
        self.pipeline = pipeline
        self.writer = writer
        self.projections = projections
        self.logger = logger
    }

    /// The Hummingbird application (a `Service`); `onRunning` gets the bound port.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: IngestRequestContext.self)
        // Request counts and durations through swift-metrics (shown on /metrics when the process
        // bootstrapped the metrics system with this server's registry).
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(
            CORSMiddleware(
                allowOrigin: .all, allowHeaders: [.contentType, .authorization], allowMethods: [.get, .post, .options],
                maxAge: .seconds(86_400)))
        router.post("/api/event") { request, context in try await self.event(request, context: context) }
        router.get("/api/event.gif") { request, context in try await self.pixel(request, context: context) }
        // Someone trying the event URL in a browser learns how events are sent, not just "not found".
        router.get("/api/event") { _, _ in
            Self.response(
                EventEndpoint.errors(.methodNotAllowed, [(nil, Self.eventMethodAdvice)], extra: [.allow: "POST"]))
        }
        router.get("/js/script.js") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: TrackerScript.source)))
        }
        router.get("/healthz") { _, _ in self.health() }
        router.get("/metrics") { _, _ in self.metrics() }
        if let stats {
            router.post("/api/v2/query") { request, _ in try await stats.answer(request) }
        }
        dashboard?.register(on: router)
        return Application(
            router: router,
            server: HTTPServerBuilder { [endpoint, configuration, connections, limitLog] responder in
                EventChannel(
                    http1: HTTP1Channel(
                        responder: responder,
                        configuration: .init(
                            additionalChannelHandlers: [
                                RequestDeadlineHandler(deadline: .seconds(configuration.requestTimeout))
                            ],
                            idleTimeout: .seconds(configuration.idleTimeout))),
                    endpoint: endpoint, connections: connections, limitLog: limitLog)
            },
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "infinity"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    // MARK: Events

    /// The event logic, shared by ``EventFastPath`` and the router.
    var endpoint: EventEndpoint {
        EventEndpoint(
            configuration: configuration, pipeline: pipeline, writer: writer, logger: logger, failureLog: failureLog)
    }

    /// `POST /api/event` through the router: only requests pipelined behind another request get
    /// here (``EventFastPath`` answers the rest on the event loop).
    private func event(_ request: Request, context: IngestRequestContext) async throws -> Response {
        let body = try? await request.body.collect(upTo: configuration.maxBodySize)
        let peer = context.remoteAddress?.ipAddress ?? ""
        switch endpoint.decide(head: request.head, body: body.map { Array(buffer: $0) }, peer: peer) {
        case .reply(let reply): return Self.response(reply)
        case .store(let hits): return Self.response(await store(hits))
        }
    }

    /// `GET /api/event.gif?n=pageview&u=…&d=…`: for `<noscript>` and e-mail; always answers with a pixel.
    private func pixel(_ request: Request, context: IngestRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ short: String, _ long: String) -> String? {
            (query[short[...]] ?? query[long[...]]).map { String($0).removingPercentEncoding ?? String($0) }
        }
        if let url = value("u", "url"), let domain = value("d", "domain") {
            let event = IncomingEvent(
                name: value("n", "name") ?? Hit.pageview, url: url, domain: domain, referrer: value("r", "referrer"))
            if case .store(let hits) = endpoint.decide(
                event, headers: EventHeaders(request.headers), peer: context.remoteAddress?.ipAddress ?? "")
            {
                _ = await store(hits)
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/gif"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Self.gif)))
    }

    private func store(_ hits: [Hit]) async -> EventEndpoint.Reply {
        await withCheckedContinuation { continuation in
            endpoint.store(hits) { continuation.resume(returning: $0.reply) }
        }
    }

    static func response(_ reply: EventEndpoint.Reply) -> Response {
        Response(status: reply.status, headers: reply.headers, body: .init(byteBuffer: reply.body))
    }

    static func errors(_ status: HTTPResponse.Status, _ errors: [(String?, String)]) -> Response {
        response(EventEndpoint.errors(status, errors))
    }

    /// What `GET /api/event` answers.
    static let eventMethodAdvice =
        "events are sent with POST (the tracker script does); for a pixel, GET /api/event.gif?n=pageview&u=URL&d=DOMAIN"

    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
        0xFF,
        0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02,
        0x02, 0x44, 0x01, 0x00, 0x3B,
    ]
}
