import Synchronization

/// Salts that live in memory only and vanish with the process: for imports (a salt per day of the
/// log, for the duration of the import) and for tests.
public final class EphemeralSalts: SaltSource {
    private let salts = Mutex<[SaltKey: Salt]>([:])

    /// An empty set of salts.
    public init() {}

    /// The salt for a day, created on first use.
    public func salt(site: String, day: Int64) throws -> Salt? {
        salts.withLock { salts in
            let key = SaltKey(site: site, day: day)
            if let salt = salts[key] { return salt }
            let salt = Salt.random()
            salts[key] = salt
            return salt
        }
    }

    /// The salt for a day, if one was made.
    public func existingSalt(site: String, day: Int64) -> Salt? {
        salts.withLock { $0[SaltKey(site: site, day: day)] }
    }
}

struct SaltKey: Hashable, Sendable {
    let site: String
    let day: Int64
}
