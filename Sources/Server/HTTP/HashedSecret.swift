import Crypto

/// Secrets (API keys, shared-link tokens) are stored only as hex SHA-256 hashes and checked in
/// constant time, so neither the files nor the timing of a check give them away.
enum HashedSecret {
    /// Hex SHA-256 of `secret`.
    static func hash(_ secret: String) -> String { hex(Array(SHA256.hash(data: Array(secret.utf8)))) }

    /// The first of `candidates` whose stored hash (`hashOf`) is the hash of `secret`; every
    /// candidate is compared in full, whatever matches.
    static func match<T>(_ secret: String, in candidates: [T], hashOf: (T) -> String) -> T? {
        let digest = hash(secret)
        var found: T?
        for candidate in candidates where equal(hashOf(candidate), digest) && found == nil { found = candidate }
        return found
    }

    /// Whether two strings are equal, in time that does not depend on where they differ: both
    /// are authenticated under a key of this process, and swift-crypto compares the codes in
    /// constant time.
    static func equal(_ left: String, _ right: String) -> Bool {
        let code = HMAC<SHA256>.authenticationCode(for: Array(left.utf8), using: comparisonKey)
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Array(right.utf8), using: comparisonKey)
    }

    private static let comparisonKey = SymmetricKey(size: .bits256)

    /// `n` random bytes from the system's secure generator, as hex.
    static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

}
