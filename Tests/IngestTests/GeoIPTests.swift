import Testing

@testable import Ingest

@Suite("GeoIP country lookup (MMDB)")
struct GeoIPTests {
    /// Opened once; a failure to open fails each test that uses it.
    static let opened = Result { try MaxMindDatabase(path: TestData.geoip) }

    @Test(
        "IPv4, IPv6 and IPv4-mapped addresses resolve to the documented countries",
        arguments: [
            ("8.8.8.8", "US"), ("81.2.69.142", "GB"), ("1.1.1.1", "AU"), ("193.0.6.139", "NL"), ("2a02:8070::1", "DE"),
            ("::ffff:8.8.8.8", "US"), ("::ffff:81.2.69.142", "GB"), ("[2a02:8070::1]", "DE"),
        ])
    func lookups(address: String, country: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(try Self.opened.get().country(of: ip) == country)
    }

    @Test("private and reserved addresses have no country", arguments: ["10.0.0.1", "127.0.0.1", "192.168.1.1", "::1"])
    func noCountry(address: String) throws {
        #expect(try Self.opened.get().country(of: try #require(IPAddress(address))) == nil)
    }

    @Test("the database names its type and build, for the journal's segment header")
    func metadata() throws {
        let database = try Self.opened.get()
        #expect(database.metadata.ipVersion == 6)
        #expect(!database.metadata.databaseType.isEmpty)
        #expect(database.metadata.buildEpoch > 1_600_000_000)
    }

    @Test("a file that is not a MaxMind DB is refused with a clear error")
    func notADatabase() {
        #expect {
            _ = try MaxMindDatabase(path: TestData.path("logs/elastic-apache_logs"))
        } throws: { error in
            (error as? IngestError)?.code == .geoip && "\(error)".contains("not a MaxMind DB file")
        }
        #expect(throws: IngestError.self) { _ = try MaxMindDatabase(path: "/nonexistent.mmdb") }
    }

    @Test(
        "garbage addresses are rejected, never guessed",
        arguments: ["", "1.2.3", "256.1.1.1", "::g", "example.com", "1.2.3.4.5"])
    func garbage(text: String) {
        #expect(IPAddress(text) == nil)
    }
}
