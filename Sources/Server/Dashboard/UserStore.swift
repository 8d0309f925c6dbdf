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
    public var path: String { file.path }
    private let file: RegistryFile<User>
    private let users: Mutex<[User]>
    private let stamp: Mutex<FileStamp?>
    private let cost: UInt8

    /// The store at `path`; `cost` is bcrypt's work factor (2^cost rounds; 12 by default).
    public init(path: String, cost: UInt8 = 12) throws {
        self.cost = cost
        file = RegistryFile(path: path, mode: 0o600)
        let (entries, read) = try Self.read(file)
        users = Mutex(entries)
        stamp = Mutex(read)
    }

    private static func read(_ file: RegistryFile<User>) throws -> (entries: [User], stamp: FileStamp?) {
        do {
            return try file.read()
        } catch {
            throw ServerError(
                "the users file is not readable: \(error)", file: file.path,
                hint: "Restore it from a backup, or delete it and add users again with `infinity users add`")
        }
    }

    /// Reads the file again if another process changed it (the CLI beside a running server);
    /// returns whether it did. A file that does not parse is refused and memory stays as it was.
    public func reloadIfChanged() throws -> Bool {
        let now = FileStamp.of(file.path)
        guard now != stamp.withLock({ $0 }) else { return false }
        let (entries, read) = try Self.read(file)
        users.withLock { $0 = entries }
        stamp.withLock { $0 = read }
        return true
    }

    /// Whether a user with this e-mail address exists.
    public func exists(email: String) -> Bool { users.withLock { $0.contains { $0.email == email.lowercased() } } }

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
        do {
            let written = try file.write(list)
            stamp.withLock { $0 = written }
        } catch {
            throw ServerError(
                "cannot write the users file: \(error)", file: path,
                hint: "Check free space and permissions of the data folder")
        }
    }
}
