import Hummingbird
import HummingbirdAuth
import ServiceLifecycle

/// Logged-in dashboard sessions, kept by hummingbird-auth's `SessionStorage` in memory (a restart
/// logs everyone out); the throttle on failed logins is ``LoginThrottle``.
///
/// Run it as a service beside the server: that tidies away ended sessions.
public struct SessionStore: Service {
    /// One session: who is logged in and the token state-changing requests must echo in
    /// `X-CSRF-Token`.
    public struct Session: Codable, Sendable {
        /// Who is logged in.
        public let email: String
        /// The CSRF token of this session.
        public let csrf: String
    }

    /// The session cookie's name.
    public static let cookieName = "infinity_session"

    /// How long a session lasts.
    public let lifetime: Duration
    private let persistence: MemoryPersistDriver<ContinuousClock>
    /// One storage per cookie flavour: behind an HTTPS proxy the cookie is also `Secure`.
    private let plain: SessionStorage<Session>
    private let secure: SessionStorage<Session>

    /// A store whose sessions last `lifetime` (a week by default).
    public init(lifetime: Duration = .seconds(7 * 86_400)) {
        self.lifetime = lifetime
        let driver = MemoryPersistDriver(configuration: .init(tidyFrequency: .seconds(600)))
        let storage = { (secure: Bool) in
            SessionStorage<Session>(
                driver,
                configuration: SessionStorageConfiguration(
                    sessionCookieParameters: SessionCookieParameters(
                        name: Self.cookieName, path: "/", secure: secure, sameSite: .strict),
                    keyPrefix: "dashboard."))
        }
        persistence = driver
        plain = storage(false)
        secure = storage(true)
    }

    /// Removes ended sessions now and then until the service group stops.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await persistence.run() }
    }

    /// Starts a session for `email`; returns it with the cookie that carries it.
    public func start(email: String, secureCookie: Bool) async throws -> (Cookie, Session) {
        let session = Session(email: email, csrf: HashedSecret.random(bytes: 32))
        let cookie = try await (secureCookie ? secure : plain).save(session: session, expiresIn: lifetime)
        return (cookie, session)
    }

    /// The live session named by the request's cookie, if any.
    public func session(of request: Request) async -> Session? {
        guard request.cookies[Self.cookieName] != nil else { return nil }
        return try? await plain.load(request: request)
    }

    /// Ends the request's session; returns the cookie that clears it in the browser.
    public func end(_ request: Request) async -> Cookie? {
        try? await plain.delete(request: request)
    }
}
