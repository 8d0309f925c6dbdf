import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Ingest
import Logging
import Projections
import Query

/// The dashboard: its page (embedded in the binary), login, shared links, and the data endpoints,
/// which answer with the same query engine as the CLI and the Stats API.
public struct Dashboard: Sendable {
    /// The query engine.
    public let engine: QueryEngine
    /// Who may log in.
    public let users: UserStore
    /// Read-only links.
    public let shares: ShareStore
    /// Live sessions.
    public let sessions: SessionStore
    /// Who may try a password now.
    public let throttle: LoginThrottle
    /// Resolves the client's address behind trusted proxies (for the throttle).
    public let addresses: ClientAddressResolver
    /// Queries and exports through shared links (over all links): two run at once, 32 more may
    /// wait up to 10 s for a turn (a page asks about ten questions at once), the rest get 429.
    let linkQueries = ConcurrencyLimit(2, queue: 32)
    /// The attribution to show beside countries (DB-IP's licence asks for it), if any.
    public let countryAttribution: String?
    /// Goals and funnels, which owners may change here (nil: read-only, none defined).
    public let definitions: DefinitionStore?
    /// The registered sites and the Stats API keys, which owners manage under Settings (nil: the
    /// dashboard has no settings).
    public let settings: Settings?

    /// The stores Settings changes, the same files as the CLI's.
    public struct Settings: Sendable {
        /// The registered sites (the ingest pipeline's registry).
        public let sites: SiteStore
        /// Stats API keys.
        public let keys: APIKeyStore
        /// Invitations by e-mail.
        public let invites: InviteStore
        /// How invitations are sent (nil: no SMTP server; logins are added with a password).
        public let smtp: SMTPSettings?
        /// Adds and deletes sites with their data (nil: sites are only added).
        public let deletion: SiteDeletion?
        /// Imported history (nil: none can be uploaded).
        public var imported: ImportedStore? { deletion?.imported }

        /// Settings over these stores.
        public init(
            sites: SiteStore, keys: APIKeyStore, invites: InviteStore, smtp: SMTPSettings?,
            deletion: SiteDeletion? = nil
        ) {
            self.sites = sites
            self.keys = keys
            self.invites = invites
            self.smtp = smtp
            self.deletion = deletion
        }
    }

    let logger: Logger

    /// A dashboard; failures of storage go to `logger` in full.
    public init(
        engine: QueryEngine, users: UserStore, shares: ShareStore, sessions: SessionStore = SessionStore(),
        throttle: LoginThrottle = LoginThrottle(), addresses: ClientAddressResolver = ClientAddressResolver(),
        countryAttribution: String?, definitions: DefinitionStore? = nil, settings: Settings? = nil,
        logger: Logger = Logger(label: "infinity.dashboard")
    ) {
        self.definitions = definitions
        self.settings = settings
        self.throttle = throttle
        self.addresses = addresses
        self.logger = logger
        self.engine = engine
        self.users = users
        self.shares = shares
        self.sessions = sessions
        self.countryAttribution = countryAttribution
    }

    /// The Content-Security-Policy of every dashboard response: nothing from other origins, no
    /// inline scripts, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// Adds the dashboard's routes.
    func register(on router: Router<IngestRequestContext>) {
        router.get("/") { _, _ in Self.asset(DashboardAssets.html, type: "text/html; charset=utf-8") }
        router.get("/share/:token") { _, _ in Self.asset(DashboardAssets.html, type: "text/html; charset=utf-8") }
        router.get("/invite/:token") { _, _ in Self.asset(DashboardAssets.html, type: "text/html; charset=utf-8") }
        router.post("/api/dashboard/invite") { request, _ in try await acceptInvite(request) }
        router.get("/assets/app.js") { _, _ in
            Self.asset(DashboardAssets.script, type: "text/javascript; charset=utf-8")
        }
        router.get("/assets/app.css") { _, _ in Self.asset(DashboardAssets.style, type: "text/css; charset=utf-8") }
        router.get("/assets/world.json") { _, _ in Self.asset(DashboardAssets.world, type: "application/json") }
        router.post("/api/dashboard/login") { request, context in try await login(request, context: context) }
        router.post("/api/dashboard/logout") { request, _ in await logout(request) }
        router.get("/api/dashboard/session") { request, _ in await session(request) }
        router.post("/api/dashboard/query") { request, _ in try await query(request) }
        router.get("/api/dashboard/realtime") { request, _ in try await realtime(request) }
        router.get("/api/dashboard/definitions") { request, _ in await listDefinitions(request) }
        router.post("/api/dashboard/definitions") { request, _ in try await changeDefinitions(request) }
        router.get("/api/dashboard/settings") { request, _ in await showSettings(request) }
        router.post("/api/dashboard/export") { request, _ in try await exportTables(request) }
        router.post("/api/dashboard/import") { request, _ in try await importHistory(request) }
        router.post("/api/dashboard/settings") { request, _ in try await changeSettings(request) }
    }

    // MARK: - Responses

    static func headers(_ type: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[.cacheControl] = "no-store"
        return headers
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: headers(type), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ status: HTTPResponse.Status, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status, headers: headers("application/json"),
            body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, ["errors": [["message": message]]])
    }

    // MARK: - Login

    private func login(_ request: Request, context: IngestRequestContext) async throws -> Response {
        guard Self.sameOrigin(request) else {
            return Self.error(.forbidden, "the login must come from this site's page")
        }
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let email = object["email"] as? String, let password = object["password"] as? String
        else { return Self.error(.badRequest, "send {\"email\": …, \"password\": …}") }
        // The visitor's own address (behind a trusted proxy, the forwarded one), never the proxy's.
        let peer = context.remoteAddress?.ipAddress ?? ""
        let client =
            addresses.resolve(
                peer: peer, forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!],
                forwarded: request.headers[HTTPField.Name("Forwarded")!]
            ).map { String($0.high, radix: 16) + ":" + String($0.low, radix: 16) } ?? peer
        let ticket: LoginThrottle.Ticket
        switch throttle.begin(email: email, client: client) {
        case .wait(let wait):
            var response = Self.error(
                .tooManyRequests, "too many failed logins; try again in \(Int(wait.rounded(.up))) seconds")
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            return response
        case .busy:
            var response = Self.error(.tooManyRequests, "too many logins at once; try again in a second")
            response.headers[.retryAfter] = "1"
            return response
        case .check(let started):
            ticket = started
        }
        let users = self.users
        let valid = await withCheckedContinuation { continuation in
            // bcrypt is slow on purpose: keep it off the event loops.
            DispatchQueue.global().async {
                continuation.resume(returning: users.verify(email: email, password: password))
            }
        }
        throttle.finish(ticket, succeeded: valid)
        guard valid else { return Self.error(.unauthorized, "wrong e-mail address or password") }
        let (cookie, session) = try await sessions.start(
            email: email.lowercased(),
            secureCookie: request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https")
        var response = Self.json(.ok, ["email": session.email, "csrf": session.csrf])
        response.setCookie(cookie)
        return response
    }

    private func logout(_ request: Request) async -> Response {
        guard await authenticatedSession(request, requireCSRF: true) != nil else {
            return Self.error(.unauthorized, "not logged in")
        }
        var response = Self.json(.ok, ["ok": true])
        if let cleared = await sessions.end(request) { response.setCookie(cleared) }
        return response
    }

    private func session(_ request: Request) async -> Response {
        if let share = request.headers[HTTPField.Name("X-Share-Token")!] {
            guard let site = shares.site(for: share) else {
                return Self.error(.notFound, "this link was revoked or never existed")
            }
            return Self.json(
                .ok,
                [
                    "sites": [site], "shared": true, "now": localNow([site]),
                    "attribution": countryAttribution.map { $0 as Any } ?? NSNull(),
                ])
        }
        guard let session = await authenticatedSession(request, requireCSRF: false) else {
            return Self.error(.unauthorized, "not logged in")
        }
        let sites = engine.worker.calendar.zones.keys.sorted()
        return Self.json(
            .ok,
            [
                "email": session.email, "csrf": session.csrf, "sites": sites, "shared": false, "now": localNow(sites),
                "role": (users.role(of: session.email) ?? .viewer).rawValue,
                "attribution": countryAttribution.map { $0 as Any } ?? NSNull(),
            ])
    }

    /// Each site's wall-clock time now, `yyyy-MM-dd HH:mm:ss` in its own zone: the chart stops at
    /// the present instead of drawing the rest of today as zeros.
    private func localNow(_ sites: [String]) -> [String: String] {
        let now = Date()
        var times: [String: String] = [:]
        for site in sites {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            formatter.timeZone = engine.worker.calendar.zone(of: site)
            times[site] = formatter.string(from: now)
        }
        return times
    }

    /// The session of the request's cookie (and, for state-changing requests, its CSRF token).
    func authenticatedSession(_ request: Request, requireCSRF: Bool) async -> SessionStore.Session? {
        guard let session = await sessions.session(of: request),
            users.exists(email: session.email)  // a user removed meanwhile is logged out
        else {
            return nil
        }
        if requireCSRF {
            guard let csrf = request.headers[HTTPField.Name("X-CSRF-Token")!],
                HashedSecret.equal(csrf, session.csrf)
            else { return nil }
        }
        return session
    }

    /// Whether the request came from a page of this server (the Origin header, when sent, names it).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    // MARK: - Data

    /// Which site the request may read: the share link's, or any for a logged-in user; nil with the
    /// response to send otherwise.
    func authorize(_ request: Request, site: String?) async -> Response? {
        if let share = request.headers[HTTPField.Name("X-Share-Token")!] {
            guard let allowed = shares.site(for: share), site == nil || site == allowed else {
                return Self.error(.notFound, "no such site through this link")
            }
            return nil
        }
        guard request.cookies[SessionStore.cookieName] != nil else {
            return Self.error(.unauthorized, "log in, or open a shared link")
        }
        guard await authenticatedSession(request, requireCSRF: true) != nil else {
            return Self.error(
                await authenticatedSession(request, requireCSRF: false) == nil ? .unauthorized : .forbidden,
                "log in again (the session ended, or the request lacks its CSRF token)")
        }
        return nil
    }

    private func query(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let data = Data(buffer: body)
        let site = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["site_id"] as? String
        if let denied = await authorize(request, site: site ?? "") { return denied }
        let engine = self.engine
        // A panel's CSV export asks with `Accept: text/csv` and gets every row.
        let csv = request.acceptsCSV
        return await answering(request) {
            let query = try QueryRequest(json: data, clockFor: engine.worker.calendar.clock(for:))
            let result = try engine.run(query)
            return csv ? result.csv(for: query) : result.json(for: query)
        } respond: { bytes in
            Response(
                status: .ok, headers: Self.headers(csv ? csvContentType : "application/json"),
                body: .init(byteBuffer: ByteBuffer(bytes: Array(bytes))))
        }
    }

    private func realtime(_ request: Request) async throws -> Response {
        guard let site = request.uri.queryParameters["site"].map(String.init) else {
            return Self.error(.badRequest, "name the site: /api/dashboard/realtime?site=example.com")
        }
        if let denied = await authorize(request, site: site) { return denied }
        let engine = self.engine
        let count = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: (try? engine.currentVisitors(site: site)) ?? 0)
            }
        }
        return Self.json(.ok, ["visitors": count])
    }
}
