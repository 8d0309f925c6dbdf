import CZlib
import Foundation

/// Decompresses a `.gz` file as it is read, in bounded memory, with the system's zlib: every
/// member of a multi-member file (`cat a.gz b.gz`), and a clear error for a damaged or cut file.
///
/// Not `Sendable`: owned by one ``LineReader``.
final class GzipStream {
    private let handle: FileHandle
    private let path: String
    private var stream = z_stream()
    private var input = Data()
    private var finished = false
    private var atMemberEnd = false
    /// Compressed bytes read so far (for error messages).
    private(set) var compressedRead: Int64 = 0

    init(handle: FileHandle, path: String) throws {
        self.handle = handle
        self.path = path
        // 15 + 32: the largest window, and a gzip (or zlib) header detected automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw IngestError(.importFailed, "zlib could not start decompressing", file: path)
        }
    }

    deinit { inflateEnd(&stream) }

    /// The next decompressed bytes (empty at the end of the file).
    func read(maxLength: Int = 1 << 20) throws -> Data {
        var output = Data(count: maxLength)
        var produced = 0
        while produced == 0 && !finished {
            if stream.avail_in == 0 {
                input = handle.readData(ofLength: 1 << 18)
                compressedRead += Int64(input.count)
                if input.isEmpty {
                    guard atMemberEnd || compressedRead == 0 else {
                        throw IngestError(
                            .importFailed,
                            "the gzip file ends in the middle of its data (cut off after \(compressedRead) bytes)",
                            file: path, hint: "Lines read before the cut are imported; check the file with `gzip -t`")
                    }
                    finished = true
                    break
                }
            }
            let consumed = input.count - Int(stream.avail_in)
            let fresh = stream.avail_in == 0
            let status = input.withUnsafeMutableBytes { inputBytes in
                output.withUnsafeMutableBytes { outputBytes -> Int32 in
                    if fresh {
                        stream.next_in = inputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.avail_in = uInt(inputBytes.count)
                    } else {
                        stream.next_in = inputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed
                    }
                    stream.next_out = outputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                    stream.avail_out = uInt(maxLength - produced)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced = maxLength - Int(stream.avail_out)
                    return status
                }
            }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                atMemberEnd = false
            case Z_STREAM_END:
                // Another member may follow; start it afresh.
                atMemberEnd = true
                inflateReset(&stream)
            default:
                throw IngestError(
                    .importFailed,
                    "the gzip file is damaged after \(compressedRead) compressed bytes (zlib: \(status))", file: path,
                    hint: "Lines read before the damage are imported; check the file with `gzip -t`")
            }
        }
        output.count = produced
        return output
    }
}
