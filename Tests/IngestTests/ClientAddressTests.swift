import Testing

@testable import Ingest

@Suite("Client address behind proxies")
struct ClientAddressTests {
    let resolver = ClientAddressResolver(trustedProxies: [CIDR("127.0.0.0/8")!, CIDR("10.0.0.0/8")!, CIDR("::1")!])

    @Test("forwarding headers are believed only from trusted proxies")
    func untrustedPeer() {
        let direct = ClientAddressResolver().resolve(peer: "203.0.113.7", forwardedFor: "8.8.8.8")
        #expect(direct == IPAddress("203.0.113.7"))
        #expect(resolver.resolve(peer: "203.0.113.7", forwardedFor: "8.8.8.8") == IPAddress("203.0.113.7"))
    }

    @Test("the nearest untrusted address in X-Forwarded-For wins; spoofed entries further left are ignored")
    func forwardedFor() {
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "1.1.1.1, 8.8.8.8, 10.0.0.2") == IPAddress("8.8.8.8"))
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "8.8.8.8:5353") == IPAddress("8.8.8.8"))
        #expect(resolver.resolve(peer: "::1", forwardedFor: "2a02:8070::1") == IPAddress("2a02:8070::1"))
    }

    @Test("RFC 7239 Forwarded is understood, quoted IPv6 and ports included")
    func forwarded() {
        let address = resolver.resolve(
            peer: "127.0.0.1", forwarded: "for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"")
        #expect(address == IPAddress("2001:db8:cafe::17"))
    }

    @Test(
        "CIDR blocks contain what they should",
        arguments: [
            ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false),
            ("2001:db8::/32", "2001:db8:1::1", true),
            ("2001:db8::/32", "2001:db9::1", false), ("192.0.2.1", "192.0.2.1", true), ("0.0.0.0/0", "8.8.8.8", true),
        ])
    func cidr(block: String, address: String, inside: Bool) {
        #expect(CIDR(block)!.contains(IPAddress(address)!) == inside)
    }
}
