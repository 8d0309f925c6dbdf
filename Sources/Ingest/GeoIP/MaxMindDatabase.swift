import Foundation

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
    /// The node (or the data record, when at or past `nodeCount`) that the first 16 bits of each
    /// IPv4 address lead to: a lookup walks 16 steps instead of 32.
    private let ipv4Prefixes: [UInt32]
    /// The country code of every data record the tree points to, by offset ("" for none), read
    /// once when the database is opened: lookups then share no lock (a cache behind one made two
    /// threads slower than one).
    private let countries: [Int: String]

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
        let bytes = bytes
        let dataStart = dataStart
        (ipv4Start, ipv4Prefixes) = bytes.withUnsafeBufferPointer { buffer in
            // IPv4 lookups in an IPv6 tree start at the node reached by 96 zero bits (::/96).
            var start = 0
            if ipVersion == 6 {
                for _ in 0..<96 where start < nodeCount {
                    start = Self.record(buffer, node: start, bit: 0, size: recordSize)
                }
            }
            // The tree's first 16 levels below it, one level at a time (a data record stays put).
            var level: [UInt32] = [UInt32(start)]
            for _ in 0..<16 {
                level = level.flatMap { node -> [UInt32] in
                    guard Int(node) < nodeCount else { return [node, node] }
                    return [0, 1].map { UInt32(Self.record(buffer, node: Int(node), bit: $0, size: recordSize)) }
                }
            }
            return (start, level)
        }
        countries = Self.countries(bytes, nodeCount: nodeCount, recordSize: recordSize, dataStart: dataStart)
    }

    /// The country code of every data record that a node of the tree points to, by offset.
    private static func countries(
        _ bytes: [UInt8], nodeCount: Int, recordSize: Int, dataStart: Int
    ) -> [Int: String] {
        // Offsets into the data section, marked in a table as big as it: cheaper than hashing the
        // million pointers of a country database.
        let dataSize = max(0, bytes.count - dataStart)
        let offsets = bytes.withUnsafeBufferPointer { buffer in
            var seen = [Bool](repeating: false, count: dataSize)
            var offsets: [Int] = []
            for node in 0..<nodeCount {
                for bit in 0...1 {
                    let offset = Self.record(buffer, node: node, bit: bit, size: recordSize) - nodeCount - 16
                    if offset >= 0 && offset < dataSize && !seen[offset] {
                        seen[offset] = true
                        offsets.append(dataStart + offset)
                    }
                }
            }
            return offsets
        }
        var countries: [Int: String] = [:]
        for offset in offsets {
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
            countries[offset] = code
        }
        return countries
    }

    /// The record `bit` (0 = left, 1 = right) of `node`; `node` is below the node count, so the
    /// bytes read are inside the search tree, which `init` checked is inside the file.
    @inline(__always)
    private static func record(_ bytes: UnsafeBufferPointer<UInt8>, node: Int, bit: Int, size: Int) -> Int {
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
        let recordSize = metadata.recordSize
        var node: Int
        var bit: Int
        if address.isIPv4 {
            node = Int(ipv4Prefixes[Int(UInt32(truncatingIfNeeded: address.low) >> 16)])
            bit = 112
        } else {
            guard metadata.ipVersion == 6 else { return nil }
            node = 0
            bit = 0
        }
        if node < nodeCount {
            node = bytes.withUnsafeBufferPointer { buffer in
                while bit < 128 && node < nodeCount {
                    node = Self.record(buffer, node: node, bit: address.bit(bit), size: recordSize)
                    bit += 1
                }
                return node
            }
        }
        guard node > nodeCount, let code = countries[dataStart + (node - nodeCount - 16)], !code.isEmpty else {
            return nil  // == nodeCount: no data
        }
        return code
    }
}
