import Crypto

/// Secrets (API keys, shared-link tokens) are stored only as hex SHA-256 hashes and checked in
/// constant time, so neither the files nor the timing of a check give them away.
enum HashedSecret {
    /// Hex SHA-256 of `secret`.
    static func hash(_ secret: String) -> String { hex(Array(SHA256.hash(data: Array(secret.utf8)))) }

    /// The first of `candidates` whose stored hash (`hashOf`) is the hash of `secret`; every
    /// candidate is compared in full, whatever matches.
    static func match<T>(_ secret: String, in candidates: [T], hashOf: (T) -> String) -> T? {
        let digest = Array(SHA256.hash(data: Array(secret.utf8)))
        var found: T?
        for candidate in candidates {
            let stored = bytes(fromHex: hashOf(candidate))
            var difference: UInt8 = stored.count == digest.count ? 0 : 1
            for index in 0..<min(stored.count, digest.count) { difference |= stored[index] ^ digest[index] }
            if difference == 0 && found == nil { found = candidate }
        }
        return found
    }

    /// `n` random bytes from the system's secure generator, as hex.
    static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    static func bytes(fromHex text: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8?
        for character in text.utf8 {
            let value: UInt8
            switch character {
            case 48...57: value = character - 48
            case 97...102: value = character - 87
            default: return []
            }
            if let pending = high {
                result.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return result
    }
}
