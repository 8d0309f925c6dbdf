import Foundation
import HummingbirdBcrypt
import Journal
import Synchronization

/// Dashboard users, kept in `<data>/users.json` (mode 0600) with bcrypt password hashes.
public final class UserStore: Sendable {
    /// One user.
    public struct User: Codable, Sendable, Hashable {
        /// The e-mail address they log in with (lower-case).
        public var email: String
        /// bcrypt hash of the password.
        public var passwordHash: String
    }

    /// The users file.
    public let path: String
    private let users: Mutex<[User]>
    private let cost: UInt8

    /// The store at `path`; `cost` is bcrypt's work factor (2^cost rounds; 12 by default).
    public init(path: String, cost: UInt8 = 12) throws {
        self.path = path
        self.cost = cost
        if FileManager.default.fileExists(atPath: path) {
            do {
                users = Mutex(try JSONDecoder().decode([User].self, from: Data(try AtomicFile.read(path))))
            } catch {
                throw ServerError(
                    "the users file is not readable: \(error)", file: path,
                    hint: "Restore it from a backup, or delete it and add users again with `infinity users add`")
            }
        } else {
            users = Mutex([])
        }
    }

    /// Every user's e-mail address, sorted.
    public var emails: [String] { users.withLock { $0.map(\.email) }.sorted() }

    /// Adds a user or changes their password.
    public func set(email: String, password: String) throws {
        let email = email.lowercased()
        guard email.contains("@"), !email.contains(" ") else {
            throw ServerError("'\(email)' is not an e-mail address", hint: "Write it like owner@example.com")
        }
        guard password.count >= 10 else {
            throw ServerError("the password must have at least 10 characters", hint: "Choose a longer one")
        }
        let hash = Bcrypt.hash(password, cost: cost)
        try users.withLock { list in
            var updated = list.filter { $0.email != email }
            updated.append(User(email: email, passwordHash: hash))
            try save(updated)
            list = updated
        }
    }

    /// Removes a user; false if there was none.
    public func remove(email: String) throws -> Bool {
        try users.withLock { list in
            let updated = list.filter { $0.email != email.lowercased() }
            guard updated.count != list.count else { return false }
            try save(updated)
            list = updated
            return true
        }
    }

    /// Whether `password` is the user's (bcrypt verifies in constant time for a given hash). An
    /// unknown user costs the same as a wrong password.
    public func verify(email: String, password: String) -> Bool {
        let user = users.withLock { $0.first { $0.email == email.lowercased() } }
        guard let user else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return false
        }
        return Bcrypt.verify(password, hash: user.passwordHash)
    }

    /// A hash to verify against for unknown users, so that timing does not tell who exists.
    private static let decoy = Bcrypt.hash("decoy password for unknown users", cost: 12)

    private func save(_ list: [User]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(Array(try encoder.encode(list)), to: path, mode: 0o600)
        } catch {
            throw ServerError("cannot write the users file: \(error)", file: path, hint: "Check the data folder")
        }
    }
}
