import Foundation
import Journal

/// Invitations to the dashboard, kept in `<data>/invites.json` (mode 0600) as SHA-256 hashes of
/// one-time tokens: the link an owner sends by e-mail lets its holder choose a password once,
/// within a week.
public final class InviteStore: Sendable {
    /// One invitation.
    public struct Invite: Codable, Sendable, Hashable {
        /// Who is invited (lower-case).
        public var email: String
        /// The role they get.
        public var role: UserStore.Role
        /// Hex SHA-256 of the token.
        public var sha256: String
        /// When it stops working (ms UTC).
        public var expires: Int64
    }

    /// How long an invitation works.
    public static let lifetime: Int64 = 7 * 86_400_000

    /// The invitations file.
    public var path: String { invites.file.path }
    private let invites: RegistryList<Invite>

    /// The store at `path`.
    public init(path: String) throws {
        invites = try RegistryList(
            path: path, noun: "invitations", hint: "Delete it and invite again from the dashboard's Settings")
    }

    /// Reads the file again if another process changed it; whether it did.
    public func reloadIfChanged() throws -> Bool { try invites.reloadIfChanged() }

    /// The open invitations, by address (expired ones are left out).
    public func pending(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> [Invite] {
        invites.entries.filter { $0.expires > now }.sorted { $0.email < $1.email }
    }

    /// Invites `email` as `role`, replacing an earlier invitation of theirs; returns the token (for
    /// the link, sent once).
    public func create(email: String, role: UserStore.Role, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000))
        throws -> String
    {
        let email = email.lowercased()
        guard email.contains("@"), !email.contains(" ") else {
            throw ServerError("'\(email)' is not an e-mail address", hint: "Write it like colleague@example.com")
        }
        let token = HashedSecret.random(bytes: 32)
        let invite = Invite(email: email, role: role, sha256: HashedSecret.hash(token), expires: now + Self.lifetime)
        try invites.update { list in
            list.removeAll { $0.email == email || $0.expires <= now }
            list.append(invite)
            return (true, ())
        }
        return token
    }

    /// Uses up the invitation of `token`: returns it, or nil when there is none (wrong, used or
    /// expired). The token is compared in constant time against every stored hash.
    public func redeem(_ token: String, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> Invite? {
        guard let invite = HashedSecret.match(token, in: invites.current, hashOf: \.sha256), invite.expires > now
        else { return nil }
        try invites.update { list in
            list.removeAll { $0.sha256 == invite.sha256 || $0.expires <= now }
            return (true, ())
        }
        return invite
    }
}
