import Testing

@testable import Ingest

#if canImport(Glibc)
    import Glibc
#endif

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
        // Entries that are not addresses are stepped over; a chain of proxies only gives its farthest.
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "8.8.8.8, unknown") == IPAddress("8.8.8.8"))
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "9.9.9.9,8.8.8.8 ,junk") == IPAddress("8.8.8.8"))
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "junk, 10.0.0.3, 10.0.0.2") == IPAddress("10.0.0.3"))
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: ", ,junk") == IPAddress("127.0.0.1"))
    }

    @Test("IPv4 text reads exactly as inet_pton reads it, odd forms included")
    func dottedQuadsAsInetPton() {
        let texts = [
            "1.2.3.4", "0.0.0.0", "255.255.255.255", "81.2.69.142", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04",
            "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4x", "1234.1.1.1", "",
            "::ffff:1.2.3.4", "1.2.3.4%eth0",
        ]
        for text in texts {
            var expected: IPAddress?
            var raw = in_addr()
            // inet_pton on the text as the slow path cleans it (spaces trimmed, zone cut).
            let cleaned = String(text.trimmingSpaces.split(separator: "%", omittingEmptySubsequences: false)[0])
            if inet_pton(AF_INET, cleaned, &raw) == 1 {
                expected = IPAddress(high: 0, low: 0xFFFF_0000_0000 | UInt64(UInt32(bigEndian: raw.s_addr)))
            } else if text.contains(":") {
                expected = IPAddress(text)  // IPv6 forms are not what this checks
            }
            #expect(IPAddress(text) == expected, "\(text)")
        }
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
