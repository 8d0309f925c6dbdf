import Foundation
import Synchronization

/// Logged-in dashboard sessions, in memory (a restart logs everyone out), and the throttle on
/// failed logins.
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
    private let failures = Mutex<[String: [Double]]>([:])
    /// Failed attempts allowed per client address (and per e-mail) within ``window``.
    public let maxFailures = 5
    /// The window of the throttle, in seconds.
    public let window: Double = 15 * 60

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

    /// Seconds to wait before `keys` (client address, e-mail) may try again, or nil.
    public func throttled(_ keys: [String], now: Double = Date().timeIntervalSince1970) -> Double? {
        failures.withLock { failures in
            var wait: Double?
            for key in keys {
                let recent = (failures[key] ?? []).filter { now - $0 < window }
                failures[key] = recent
                if recent.count >= maxFailures, let oldest = recent.first {
                    wait = max(wait ?? 0, window - (now - oldest))
                }
            }
            return wait
        }
    }

    /// Records a failed attempt for `keys`.
    public func fail(_ keys: [String], now: Double = Date().timeIntervalSince1970) {
        failures.withLock { failures in
            for key in keys { failures[key, default: []].append(now) }
        }
    }
}
