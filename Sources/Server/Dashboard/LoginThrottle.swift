import Foundation
import Synchronization

/// Who may try a password now: a limit per account and client, a looser one per client, and a
/// bound on password checks running at once.
///
/// An attempt counts when it *starts* (``begin(email:client:now:)``), before the slow bcrypt
/// check, so a burst of parallel guesses is stopped after the allowed few instead of all being
/// checked. The client is the resolved visitor address (behind a trusted proxy, the forwarded
/// one), and the account limit is per client too: strangers elsewhere cannot lock a user out.
public final class LoginThrottle: Sendable {
    /// Failed attempts allowed per account and client within ``window``.
    public let perAccount: Int
    /// Failed attempts allowed per client (all accounts) within ``window``.
    public let perClient: Int
    /// The window, in seconds.
    public let window: Double
    /// Password checks (bcrypt) allowed at once; more get "busy".
    public let concurrentChecks: Int

    private struct State {
        var failures: [String: [Double]] = [:]
        var checking = 0
    }

    private let state = Mutex(State())

    /// A throttle.
    public init(
        perAccount: Int = 5, perClient: Int = 30, window: Double = 15 * 60,
        concurrentChecks: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    ) {
        self.perAccount = perAccount
        self.perClient = perClient
        self.window = window
        self.concurrentChecks = concurrentChecks
    }

    /// An attempt in progress.
    public struct Ticket: Sendable {
        let keys: [String]
        let started: Double
    }

    /// What to do with an attempt.
    public enum Decision: Sendable {
        /// Check the password, then call ``finish(_:succeeded:)``.
        case check(Ticket)
        /// Too many failures: wait this many seconds.
        case wait(Double)
        /// Too many checks running at once: try again in a moment.
        case busy
    }

    /// Starts an attempt for `email` from `client`, counting it as failed until it succeeds.
    public func begin(email: String, client: String, now: Double = Date().timeIntervalSince1970) -> Decision {
        let account = "account:" + email.lowercased() + "|" + client
        let clientKey = "client:" + client
        return state.withLock { state in
            var wait: Double?
            for (key, limit) in [(account, perAccount), (clientKey, perClient)] {
                let recent = (state.failures[key] ?? []).filter { now - $0 < window }
                state.failures[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    wait = max(wait ?? 0, window - (now - oldest))
                }
            }
            if let wait { return .wait(wait) }
            guard state.checking < concurrentChecks else { return .busy }
            state.checking += 1
            state.failures[account, default: []].append(now)
            state.failures[clientKey, default: []].append(now)
            if state.failures.count > 100_000 {
                state.failures = state.failures.filter { now - ($0.value.last ?? 0) < window }
            }
            return .check(Ticket(keys: [account, clientKey], started: now))
        }
    }

    /// Ends an attempt; a success takes back the failure it was counted as.
    public func finish(_ ticket: Ticket, succeeded: Bool) {
        state.withLock { state in
            state.checking -= 1
            guard succeeded else { return }
            for key in ticket.keys {
                if let index = state.failures[key]?.lastIndex(of: ticket.started) {
                    state.failures[key]?.remove(at: index)
                }
            }
        }
    }
}
