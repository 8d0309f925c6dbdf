import CZlib
import Foundation

/// A zip archive of whole files, deflated with zlib (what `unzip`, Plausible's importer and every
/// desktop open): local headers, data, then the central directory. Archives up to 4 GiB and 65,535
/// files (no ZIP64), which an export of aggregated tables never comes near.
struct ZipWriter {
    private(set) var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count: UInt16 = 0

    /// Adds a file named `name` (ASCII) holding `content`.
    mutating func add(_ name: String, _ content: [UInt8]) throws {
        let crc = content.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        let compressed = try Zlib.deflate(content, wrapper: .raw)
        let offset = UInt32(bytes.count)
        let nameBytes = Array(name.utf8)
        func header(_ signature: UInt32, central: Bool) -> [UInt8] {
            var out: [UInt8] = []
            func u16(_ value: UInt16) { out += [UInt8(value & 0xFF), UInt8(value >> 8)] }
            func u32(_ value: UInt32) {
                for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> shift) & 0xFF)) }
            }
            u32(signature)
            if central { u16(20) }  // made by: version 2.0
            u16(20)  // needed to extract: 2.0 (deflate)
            u16(0x0800)  // flags: names are UTF-8
            u16(8)  // deflate
            u16(0)  // time 00:00
            u16(0x21)  // date 1980-01-01
            u32(crc)
            u32(UInt32(compressed.count))
            u32(UInt32(content.count))
            u16(UInt16(nameBytes.count))
            u16(0)  // extra field length
            if central {
                u16(0)  // comment length
                u16(0)  // disk number
                u16(0)  // internal attributes
                u32(0o100644 << 16)  // external attributes: a regular file, rw-r--r--
                u32(offset)
            }
            return out + nameBytes
        }
        bytes += header(0x0403_4B50, central: false) + compressed
        directory += header(0x0201_4B50, central: true)
        count += 1
    }

    /// The finished archive.
    mutating func finish() -> [UInt8] {
        var end: [UInt8] = []
        func u16(_ value: UInt16) { end += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        func u32(_ value: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { end.append(UInt8((value >> shift) & 0xFF)) }
        }
        let start = UInt32(bytes.count)
        u32(0x0605_4B50)
        u16(0)
        u16(0)
        u16(count)
        u16(count)
        u32(UInt32(directory.count))
        u32(start)
        u16(0)
        return bytes + directory + end
    }
}
