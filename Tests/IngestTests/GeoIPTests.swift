import Foundation
import InfinityTestSupport
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

    @Test("countries of 20,000 random addresses equal MaxMind's own reader's (maxminddb, from PyPI)")
    func sameAsMaxMindsReader() throws {
        let python = BuiltBinary.packageRoot.appendingPathComponent(".build/oracle/bin/python3").path
        try #require(
            FileManager.default.isExecutableFile(atPath: python), "run `make oracle` (make test does) for maxminddb")
        var random = SplitMix(seed: 7)  // the same addresses every run
        func next() -> UInt64 { random.next() }
        var addresses: [String] = []
        for _ in 0..<15_000 {
            let value = next()
            addresses.append((0..<4).map { String((value >> (8 * UInt64($0))) & 255) }.joined(separator: "."))
        }
        for _ in 0..<5_000 {  // global unicast, 2000::/3, where networks are assigned
            let value = next() & 0x1FFF_FFFF_FFFF_FFFF | 0x2000_0000_0000_0000
            let groups = (0..<4).map { String((value >> (48 - 16 * UInt64($0))) & 0xFFFF, radix: 16) }
            addresses.append(groups.joined(separator: ":") + "::1")
        }
        let folder = TemporaryDirectory()
        let list = folder.path + "/addresses.txt"
        try addresses.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let script = """
            import maxminddb, sys
            reader = maxminddb.open_database(sys.argv[1])
            for line in open(sys.argv[2]):
                record = reader.get(line.strip()) or {}
                place = record.get("country") or record.get("registered_country") or {}
                print(place.get("iso_code", ""))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, TestData.geoip, list]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let theirs = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(addresses.count)
        let database = try Self.opened.get()
        var mismatches: [String] = []
        for (address, country) in zip(addresses, theirs) {
            let ours = database.country(of: try #require(IPAddress(address))) ?? ""
            if ours != country { mismatches.append("\(address): ours \(ours), maxminddb \(country)") }
        }
        #expect(theirs.count == addresses.count)
        #expect(theirs.filter { !$0.isEmpty }.count > 10_000, "most addresses have a country")
        #expect(mismatches.isEmpty, "\(mismatches.count) differ: \(mismatches.prefix(5))")
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
