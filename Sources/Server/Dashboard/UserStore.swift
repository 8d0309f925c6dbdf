import Foundation
import HummingbirdBcrypt
import Journal

/// Dashboard users, kept in `<data>/users.json` (mode 0600) with bcrypt password hashes.
public final class UserStore: Sendable {
    /// One user.
    public struct User: Codable, Sendable, Hashable {
        /// The e-mail address they log in with (lower-case).
        public var email: String
        /// bcrypt hash of the password.
        public var passwordHash: String
        /// What they may do; absent (users added before roles) means owner.
        public var role: Role?
    }

    /// What a user may do in the dashboard.
    public enum Role: String, Codable, Sendable, Hashable, CaseIterable {
        /// Everything: numbers, goals and funnels, settings (sites, links, keys, users).
        case owner
        /// Read the numbers only.
        case viewer
    }

    /// The users file.
    public var path: String { users.file.path }
    private let users: RegistryList<User>
    private let cost: UInt8

    /// The store at `path`; `cost` is bcrypt's work factor (2^cost rounds; 12 by default).
    public init(path: String, cost: UInt8 = 12) throws {
        self.cost = cost
        users = try RegistryList(
            path: path, noun: "users",
            hint: "Restore it from a backup, or delete it and add users again with `infinity users add`")
    }

    /// Reads the file again if another process changed it (the CLI beside a running server);
    /// returns whether it did. A file that does not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool { try users.reloadIfChanged() }

    /// Whether a user with this e-mail address exists.
    public func exists(email: String) -> Bool { users.current.contains { $0.email == email.lowercased() } }

    /// Every user's e-mail address, sorted.
    public var emails: [String] { users.entries.map(\.email).sorted() }

    /// Every user's e-mail address and role, sorted by address.
    public var roles: [(email: String, role: Role)] {
        users.entries.map { ($0.email, $0.role ?? .owner) }.sorted { $0.email < $1.email }
    }

    /// The role of a user, if they exist.
    public func role(of email: String) -> Role? {
        users.current.first { $0.email == email.lowercased() }.map { $0.role ?? .owner }
    }

    /// Adds a user or changes their password (and role; an existing user keeps theirs when nil).
    public func set(email: String, password: String, role: Role? = nil) throws {
        let email = email.lowercased()
        guard email.contains("@"), !email.contains(" ") else {
            throw ServerError("'\(email)' is not an e-mail address", hint: "Write it like owner@example.com")
        }
        guard password.count >= 10 else {
            throw ServerError("the password must have at least 10 characters", hint: "Choose a longer one")
        }
        let hash = Bcrypt.hash(password, cost: cost)
        try users.update { list in
            let previous = list.first { $0.email == email }?.role
            list.removeAll { $0.email == email }
            list.append(User(email: email, passwordHash: hash, role: role ?? previous))
            return (true, ())
        }
    }

    /// Removes a user; false if there was none.
    public func remove(email: String) throws -> Bool {
        try users.update { list in
            let before = list.count
            list.removeAll { $0.email == email.lowercased() }
            return (list.count != before, list.count != before)
        }
    }

    /// Whether `password` is the user's (bcrypt verifies in constant time for a given hash). An
    /// unknown user costs the same as a wrong password.
    public func verify(email: String, password: String) -> Bool {
        let user = users.current.first { $0.email == email.lowercased() }
        guard let user else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return false
        }
        return Bcrypt.verify(password, hash: user.passwordHash)
    }

    /// A hash to verify against for unknown users, so that timing does not tell who exists.
    private static let decoy = Bcrypt.hash("decoy password for unknown users", cost: 12)
}
