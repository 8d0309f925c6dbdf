import CZlib

/// Whole buffers through the system's zlib: deflate for zip entries (raw) and Parquet pages
/// (gzip), inflate for zip entries read.
enum Zlib {
    /// The wrapper around deflated data.
    enum Wrapper {
        /// None (zip entries).
        case raw
        /// gzip's header and trailer (RFC 1952; Parquet's GZIP codec).
        case gzip

        var windowBits: Int32 {
            switch self {
            case .raw: -15
            case .gzip: 31
            }
        }
    }

    /// `input` deflated at `level` (1 fastest … 9 smallest).
    static func deflate(_ input: [UInt8], wrapper: Wrapper, level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, level, Z_DEFLATED, wrapper.windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw ServerError("zlib could not start compressing", code: "zlib") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var input = input
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ServerError("zlib could not compress", code: "zlib") }
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// Raw deflate data unpacked into exactly `size` bytes; nil when it does not unpack to that.
    static func inflateRaw(_ input: [UInt8], size: Int) throws -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ServerError("zlib could not start unpacking", code: "zlib")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: size + 1)
        var input = input
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else { return nil }
        return Array(output.prefix(size))
    }
}
