import Journal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as 16 bytes (IPv4 as IPv4-mapped IPv6, `::ffff:a.b.c.d`), parsed from
/// text. It lives only in memory while a request is processed; it is never stored.
public struct IPAddress: Sendable, Hashable {
    /// The address as two big-endian halves of the 128-bit IPv6 form.
    public let high: UInt64
    /// The low half.
    public let low: UInt64

    /// Whether the address is IPv4 (or IPv4-mapped IPv6).
    public var isIPv4: Bool { high == 0 && (low >> 32) == 0xFFFF }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - $0 * 8)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - $0 * 8)) }
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses `1.2.3.4`, `2001:db8::1`, `::ffff:1.2.3.4`, and the bracketed or zone-suffixed forms
    /// proxies send (`[2001:db8::1]`, `fe80::1%eth0`). Nil for anything else.
    public init?(_ text: some StringProtocol) {
        if let address = Self.dottedQuad(text.utf8) {
            self = address
            return
        }
        var text = String(text).trimmingSpaces
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = String(text[text.index(after: text.startIndex)..<close])
        }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(value))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(raw[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(raw[i]) }
        self.init(high: high, low: low)
    }

    /// `text` if it is a plain IPv4 address (``dottedQuad(_:)``) and nothing else, read from its
    /// bytes in place; nil for anything else, even what ``init(_:)`` would take.
    init?(dottedQuad text: String) {
        guard let address = text.withBorrowedUTF8({ Self.dottedQuad($0) }) else { return nil }
        self = address
    }

    /// A plain IPv4 address (four decimal numbers up to 255, no leading zeros, nothing else), read
    /// without copying the text, which is what almost every request carries. Nil for anything else,
    /// which then takes `inet_pton`'s way.
    private static func dottedQuad(_ text: some Collection<UInt8>) -> IPAddress? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | part
                part = 0
                digits = 0
                dots += 1
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard digits < 3, !(digits == 1 && part == 0) else { return nil }
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return IPAddress(high: 0, low: 0xFFFF_0000_0000 | UInt64(value << 8 | part))
    }

    /// Bit `index` (0 = most significant) of the 128-bit form.
    @inline(__always)
    func bit(_ index: Int) -> Int {
        index < 64 ? Int((high >> UInt64(63 - index)) & 1) : Int((low >> UInt64(127 - index)) & 1)
    }
}

/// A block of addresses such as `10.0.0.0/8` or `2001:db8::/32`, for trusted proxies.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address.
    public let address: IPAddress
    /// Prefix length in the 128-bit form (IPv4 prefixes are stored plus 96).
    public let prefix: Int
    /// The block as it was written.
    public let description: String

    /// Parses `a.b.c.d/n`, `x::y/n`, or a single address (a /32 or /128).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = IPAddress(first) else { return nil }
        let maximum = address.isIPv4 && !first.contains(":") ? 32 : 128
        let length = parts.count == 2 ? Int(parts[1]) : maximum
        guard let length, (0...maximum).contains(length) else { return nil }
        self.address = address
        self.prefix = maximum == 32 ? length + 96 : length
        self.description = text
    }

    /// Whether `candidate` is inside the block.
    public func contains(_ candidate: IPAddress) -> Bool {
        func masked(_ value: UInt64, _ bits: Int) -> UInt64 {
            bits <= 0 ? 0 : bits >= 64 ? value : value & ~(UInt64.max >> UInt64(bits))
        }
        return masked(candidate.high, prefix) == masked(address.high, prefix)
            && masked(candidate.low, prefix - 64) == masked(address.low, prefix - 64)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
