/// A 128-bit secret key for one site on one site-local day.
public struct Salt: Sendable, Hashable {
    /// First 64 bits.
    public let k0: UInt64
    /// Last 64 bits.
    public let k1: UInt64

    /// A salt from its two halves.
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A salt from the 32 hexadecimal digits of ``hex``.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 32, let k0 = UInt64(hex.prefix(16), radix: 16),
            let k1 = UInt64(hex.suffix(16), radix: 16)
        else { return nil }
        self.init(k0: k0, k1: k1)
    }

    /// The salt as 32 hexadecimal digits.
    public var hex: String {
        func digits(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return digits(k0) + digits(k1)
    }

    /// A fresh random salt from the system's secure generator.
    public static func random() -> Salt {
        var generator = SystemRandomNumberGenerator()
        return Salt(k0: generator.next(), k1: generator.next())
    }
}

/// Where daily salts come from: the seam between the visitor hash and salt storage.
///
/// ``SaltStore`` keeps them in a `0600` file so a restart keeps today's ids; ``EphemeralSalts``
/// keeps them in memory only (imports, tests).
public protocol SaltSource: Sendable {
    /// The salt of `site` for site-local day `day` (days since 1970-01-01), created if missing.
    /// Returns nil only for a day whose salt has already been deleted (or is too far from now).
    func salt(site: String, day: Int64) throws -> Salt?
    /// The salt if it exists, without creating one.
    func existingSalt(site: String, day: Int64) -> Salt?
}
