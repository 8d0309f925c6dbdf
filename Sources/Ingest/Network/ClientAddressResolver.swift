import Synchronization

/// Finds the visitor's address: the connection's peer, or, when the peer is a trusted proxy, the
/// nearest untrusted address in `X-Forwarded-For` / `Forwarded`. Headers from anyone else are
/// ignored, so a visitor cannot choose the address (and so the country and id) they are counted as.
///
/// Copies of one resolver share its proxies, so ``update(trustedProxies:)`` (a config file reloaded
/// on SIGHUP) reaches the ingest pipeline and the dashboard's login throttle at once.
public struct ClientAddressResolver: Sendable {
    private let shared: Proxies

    /// Proxies whose forwarding headers are believed.
    public var trustedProxies: [CIDR] { shared.value.withLock { $0 } }

    /// A resolver trusting `trustedProxies` (none by default).
    public init(trustedProxies: [CIDR] = []) { shared = Proxies(trustedProxies) }

    /// Trusts `trustedProxies` from now on, in every copy of this resolver.
    public func update(trustedProxies: [CIDR]) { shared.value.withLock { $0 = trustedProxies } }

    private final class Proxies: Sendable {
        let value: Mutex<[CIDR]>
        init(_ proxies: [CIDR]) { value = Mutex(proxies) }
    }

    private func isTrusted(_ address: IPAddress, in proxies: [CIDR]) -> Bool {
        proxies.contains { $0.contains(address) }
    }

    /// The client's address, or nil if the peer's is not an address.
    public func resolve(peer: String, forwardedFor: String? = nil, forwarded: String? = nil) -> IPAddress? {
        guard let peerAddress = IPAddress(peer) else { return nil }
        let proxies = trustedProxies
        if proxies.isEmpty { return peerAddress }
        guard isTrusted(peerAddress, in: proxies) else { return peerAddress }
        if let forwarded, !forwarded.isEmpty {
            // The chain from the client towards us.
            var chain: [IPAddress] = []
            for element in forwarded.split(separator: ",") {
                for pair in element.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingSpaces.lowercased() == "for" else { continue }
                    var value = parts[1].trimmingSpaces
                    if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                        value = String(value.dropFirst().dropLast())
                    }
                    if let address = IPAddress(Self.stripPort(value)) { chain.append(address) }
                }
            }
            return client(nearestFirst: chain.reversed(), proxies: proxies) ?? peerAddress
        }
        if let forwardedFor, !forwardedFor.isEmpty {
            // One plain IPv4 address, as nearly every request names, read as it is.
            if let address = IPAddress(dottedQuad: forwardedFor) {
                return client(nearestFirst: CollectionOfOne(address), proxies: proxies) ?? peerAddress
            }
            // Walked in place from our side: almost every request names one address, and needs no
            // array of parts.
            let utf8 = forwardedFor.utf8
            let nearestFirst = sequence(state: Optional(utf8.endIndex)) { end -> IPAddress? in
                while let last = end {
                    let comma = utf8[..<last].lastIndex(of: UInt8(ascii: ","))
                    end = comma
                    let start = comma.map { utf8.index(after: $0) } ?? utf8.startIndex
                    if let address = IPAddress(Self.stripPort(forwardedFor[start..<last].trimmingSpaces)) {
                        return address
                    }
                }
                return nil
            }
            return client(nearestFirst: nearestFirst, proxies: proxies) ?? peerAddress
        }
        return peerAddress
    }

    /// Of a forwarding chain read from our side, the nearest address that is not one of our
    /// proxies; if all are proxies, the farthest one (nil for an empty chain).
    private func client(nearestFirst chain: some Sequence<IPAddress>, proxies: [CIDR]) -> IPAddress? {
        var farthest: IPAddress?
        for address in chain {
            if !isTrusted(address, in: proxies) { return address }
            farthest = address
        }
        return farthest
    }

    /// `1.2.3.4:5678` → `1.2.3.4`; `[::1]:80` → `[::1]`; a bare IPv6 address is left alone.
    static func stripPort(_ text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return String(text[...close]) }
        if let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")),
            !text.utf8[text.utf8.index(after: colon)...].contains(UInt8(ascii: ":"))
        {
            return String(text[..<colon])
        }
        return text
    }
}
