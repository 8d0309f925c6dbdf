import CZlib
import Foundation

/// The files of a zip archive (stored or deflated, as Plausible's export and every desktop tool
/// write them), read through the central directory. Bounded against hostile archives: each file
/// may unpack to at most ``maxFileSize`` and all of them to at most ``maxTotalSize``, an entry must
/// unpack to exactly the size and CRC-32 its directory states, and ZIP64 or encrypted entries are
/// refused with a message.
struct ZipReader {
    /// The most one file may unpack to.
    static let maxFileSize = 512 << 20
    /// The most all files together may unpack to.
    static let maxTotalSize = 2 << 30

    /// One file: its name and content.
    struct Entry {
        let name: String
        let content: [UInt8]
    }

    /// Every file of `archive` (folders skipped), in the directory's order; `file` names it in errors.
    static func entries(_ archive: [UInt8], file: String) throws -> [Entry] {
        func refuse(_ why: String) -> ServerError {
            ServerError(
                "\(file) is not a zip archive this can read: \(why)", code: "zip",
                hint: "Give the zip as Plausible's export made it, or its unpacked CSV files")
        }
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= archive.count else { throw refuse("it is cut short") }
            return Int(archive[at]) | Int(archive[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int { try u16(at) | (try u16(at + 2)) << 16 }
        // The end of central directory record: within the last 64 KiB + 22 bytes (its comment).
        var end = archive.count - 22
        let lowest = max(0, archive.count - 22 - 65_535)
        while end >= lowest, (try? u32(end)) != 0x0605_4B50 { end -= 1 }
        guard end >= lowest else { throw refuse("no end of central directory") }
        let count = try u16(end + 10)
        var position = try u32(end + 16)
        if count == 0xFFFF || position == 0xFFFF_FFFF { throw refuse("ZIP64 archives are not supported") }
        var entries: [Entry] = []
        var total = 0
        for _ in 0..<count {
            guard try u32(position) == 0x0201_4B50 else { throw refuse("a damaged central directory") }
            let flags = try u16(position + 8)
            let method = try u16(position + 10)
            let crc = UInt32(try u32(position + 16))
            let packed = try u32(position + 20)
            let size = try u32(position + 24)
            let nameLength = try u16(position + 28)
            let extraLength = try u16(position + 30)
            let commentLength = try u16(position + 32)
            let local = try u32(position + 42)
            guard position + 46 + nameLength <= archive.count else { throw refuse("it is cut short") }
            let name = String(decoding: archive[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            position += 46 + nameLength + extraLength + commentLength
            if name.hasSuffix("/") { continue }
            if flags & 1 != 0 { throw refuse("\(name) is encrypted") }
            guard size <= maxFileSize, total + size <= maxTotalSize else {
                throw refuse("\(name) would unpack to more than \(maxFileSize >> 20) MiB")
            }
            total += size
            guard try u32(local) == 0x0403_4B50 else { throw refuse("a damaged entry \(name)") }
            let start = local + 30 + (try u16(local + 26)) + (try u16(local + 28))
            guard start + packed <= archive.count else { throw refuse("\(name) is cut short") }
            let data = Array(archive[start..<(start + packed)])
            let content: [UInt8]
            switch method {
            case 0: content = data
            case 8: content = try Zlib.inflateRaw(data, size: size) ?? { throw refuse("\(name) does not unpack") }()
            default: throw refuse("\(name) uses compression method \(method) (only stored and deflate are read)")
            }
            let actual = content.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            guard content.count == size, actual == crc else { throw refuse("\(name) fails its checksum") }
            entries.append(Entry(name: name, content: content))
        }
        return entries
    }
}
