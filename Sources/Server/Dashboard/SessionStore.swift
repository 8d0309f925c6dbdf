import Foundation
import Synchronization

/// Logged-in dashboard sessions, in memory (a restart logs everyone out); the throttle on failed
/// logins is ``LoginThrottle``.
public final class SessionStore: Sendable {
    /// One session.
    public struct Session: Sendable {
        /// Who is logged in.
        public let email: String
        /// The token state-changing requests must echo in `X-CSRF-Token`.
        public let csrf: String
        /// When it ends (seconds since 1970).
        public let expires: Double
    }

    /// How long a session lasts.
    public let lifetime: Double
    private let sessions = Mutex<[String: Session]>([:])

    /// A store whose sessions last `lifetime` seconds (a week by default).
    public init(lifetime: Double = 7 * 86_400) { self.lifetime = lifetime }

    static func token() -> String { HashedSecret.random(bytes: 32) }

    /// Starts a session; returns its cookie token.
    public func start(email: String, now: Double = Date().timeIntervalSince1970) -> (String, Session) {
        let token = Self.token()
        let session = Session(email: email, csrf: Self.token(), expires: now + lifetime)
        sessions.withLock {
            $0 = $0.filter { $0.value.expires > now }
            $0[token] = session
        }
        return (token, session)
    }

    /// The live session of a cookie token.
    public func session(_ token: String, now: Double = Date().timeIntervalSince1970) -> Session? {
        sessions.withLock { $0[token] }.flatMap { $0.expires > now ? $0 : nil }
    }

    /// Ends a session.
    public func end(_ token: String) { _ = sessions.withLock { $0.removeValue(forKey: token) } }
}
