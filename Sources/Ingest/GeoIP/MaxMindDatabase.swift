import Foundation
import Synchronization

/// Reads country codes from a MaxMind DB (`.mmdb`) file, such as GeoLite2-Country or DB-IP's
/// "IP to Country Lite": the binary search tree over address bits, then `country.iso_code` (or
/// `registered_country.iso_code`) in the data section. IPv4, IPv6 and IPv4-mapped IPv6 all work.
///
/// The whole file is read into memory once (a country database is a few MB); every read is
/// bounds-checked, so a damaged file gives an error or no answer, never a crash.
public final class MaxMindDatabase: Sendable {
    /// What the database says about itself.
    public struct Metadata: Sendable {
        /// `database_type`, e.g. `GeoLite2-Country` or `DBIP-Country-Lite`.
        public let databaseType: String
        /// `build_epoch`, seconds since 1970.
        public let buildEpoch: UInt64
        /// 4 or 6.
        public let ipVersion: Int
        /// Nodes in the search tree.
        public let nodeCount: Int
        /// Bits per record: 24, 28 or 32.
        public let recordSize: Int

        /// A version string for the segment header: `type@build-epoch`.
        public var version: String { "\(databaseType)@\(buildEpoch)" }
    }

    /// The database's metadata.
    public let metadata: Metadata
    /// The file the database was read from.
    public let path: String
    private let bytes: [UInt8]
    private let dataStart: Int
    private let ipv4Start: Int
    private let countryCache = Mutex<[Int: String]>([:])

    private static let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)

    /// Opens and checks a database file.
    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError(
                .geoip, "cannot read the GeoIP database", file: path,
                hint: "Check the --geoip path; it should be a .mmdb file such as GeoLite2-Country.mmdb")
        }
        bytes = [UInt8](data)
        func invalid(_ why: String) -> IngestError {
            IngestError(
                .geoip, "not a MaxMind DB file (\(why))", file: path,
                hint: "Pass a country database in MMDB format (GeoLite2-Country or DB-IP Country Lite)")
        }
        // The metadata follows the last marker, within the last 128 KiB.
        let searchStart = max(0, bytes.count - 128 * 1024)
        var markerAt: Int?
        var i = bytes.count - Self.marker.count
        while i >= searchStart {
            if bytes[i] == 0xAB && bytes[i..<(i + Self.marker.count)].elementsEqual(Self.marker) {
                markerAt = i
                break
            }
            i -= 1
        }
        guard let markerAt else { throw invalid("no metadata marker") }
        var decoder = MMDBDecoder(bytes: bytes, base: markerAt + Self.marker.count)
        guard case .map(let fields)? = try? decoder.decode(at: markerAt + Self.marker.count) else {
            throw invalid("unreadable metadata")
        }
        func integer(_ key: String) -> Int? {
            if case .unsigned(let value)? = fields[key] { return Int(exactly: value) }
            return nil
        }
        guard let nodeCount = integer("node_count"), let recordSize = integer("record_size"),
            [24, 28, 32].contains(recordSize), let ipVersion = integer("ip_version")
        else { throw invalid("metadata lacks node_count, record_size or ip_version") }
        var type = ""
        if case .string(let text)? = fields["database_type"] { type = text }
        var epoch: UInt64 = 0
        if case .unsigned(let value)? = fields["build_epoch"] { epoch = value }
        metadata = Metadata(
            databaseType: type, buildEpoch: epoch, ipVersion: ipVersion, nodeCount: nodeCount, recordSize: recordSize)
        let treeSize = nodeCount * recordSize * 2 / 8
        guard treeSize + 16 <= markerAt else { throw invalid("search tree larger than the file") }
        dataStart = treeSize + 16
        // IPv4 lookups in an IPv6 tree start at the node reached by 96 zero bits (::/96).
        var node = 0
        if ipVersion == 6 {
            for _ in 0..<96 where node < nodeCount { node = Self.record(bytes, node: node, bit: 0, size: recordSize) }
        }
        ipv4Start = node
    }

    /// The record `bit` (0 = left, 1 = right) of `node`.
    @inline(__always)
    private static func record(_ bytes: [UInt8], node: Int, bit: Int, size: Int) -> Int {
        switch size {
        case 24:
            let base = node * 6 + bit * 3
            return Int(bytes[base]) << 16 | Int(bytes[base + 1]) << 8 | Int(bytes[base + 2])
        case 28:
            let base = node * 7
            if bit == 0 {
                return (Int(bytes[base + 3]) >> 4) << 24 | Int(bytes[base]) << 16 | Int(bytes[base + 1]) << 8
                    | Int(bytes[base + 2])
            }
            return (Int(bytes[base + 3]) & 0x0F) << 24 | Int(bytes[base + 4]) << 16 | Int(bytes[base + 5]) << 8
                | Int(bytes[base + 6])
        default:
            let base = node * 8 + bit * 4
            return Int(bytes[base]) << 24 | Int(bytes[base + 1]) << 16 | Int(bytes[base + 2]) << 8
                | Int(bytes[base + 3])
        }
    }

    /// The ISO 3166-1 alpha-2 country of `address`, or nil when the database has no entry.
    public func country(of address: IPAddress) -> String? {
        let nodeCount = metadata.nodeCount
        var node: Int
        var bit: Int
        if address.isIPv4 {
            node = ipv4Start
            bit = 96
        } else {
            guard metadata.ipVersion == 6 else { return nil }
            node = 0
            bit = 0
        }
        while bit < 128 && node < nodeCount {
            node = Self.record(bytes, node: node, bit: address.bit(bit), size: metadata.recordSize)
            bit += 1
        }
        guard node > nodeCount else { return nil }  // == nodeCount: no data
        let offset = dataStart + (node - nodeCount - 16)
        if let cached = countryCache.withLock({ $0[offset] }) { return cached.isEmpty ? nil : cached }
        var decoder = MMDBDecoder(bytes: bytes, base: dataStart)
        var code = ""
        if case .map(let record)? = try? decoder.decode(at: offset) {
            for key in ["country", "registered_country"] {
                if case .map(let country)? = record[key], case .string(let iso)? = country["iso_code"] {
                    code = iso
                    break
                }
            }
        }
        countryCache.withLock { $0[offset] = code }
        return code.isEmpty ? nil : code
    }
}
