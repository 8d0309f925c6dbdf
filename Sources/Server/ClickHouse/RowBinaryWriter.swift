import Journal

/// Journal records as ClickHouse `RowBinary` rows (the columns of ``ClickHouseSchema``): integers
/// little-endian, strings and arrays prefixed by an unsigned LEB128 length.
struct RowBinaryWriter {
    private(set) var bytes: [UInt8] = []
    private(set) var rows = 0

    init(capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    mutating func append(_ hit: Hit, node: String, sequence: UInt64) {
        string(node)
        integer(sequence)
        integer(UInt64(bitPattern: hit.timestamp))
        let day = hit.timestamp >= 0 ? hit.timestamp / 86_400_000 : (hit.timestamp + 1) / 86_400_000 - 1
        integer(UInt16(clamping: max(day, 0)))
        string(hit.site)
        string(hit.name)
        string(hit.hostname)
        string(hit.pathname)
        string(hit.referrer)
        string(hit.source)
        bytes.append(hit.channel.rawValue)
        for value in [hit.utm.source, hit.utm.medium, hit.utm.campaign, hit.utm.content, hit.utm.term] { string(value) }
        string(hit.country)
        string(hit.browser)
        string(hit.browserVersion)
        string(hit.os)
        string(hit.osVersion)
        bytes.append(hit.device.rawValue)
        bytes.append(hit.screen.rawValue)
        integer(hit.visitorID)
        varint(UInt64(hit.props.count))
        for property in hit.props { string(property.key) }
        varint(UInt64(hit.props.count))
        for property in hit.props { string(property.value) }
        integer(UInt64(bitPattern: hit.revenue?.amount ?? 0))
        string(hit.revenue?.currency ?? "")
        bytes.append(hit.flags.rawValue)
        rows += 1
    }

    private mutating func string(_ value: String) {
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
