import CLZ4

/// Thin wrapper over the system liblz4 block API.
public enum LZ4 {
    /// Largest uncompressed payload a block may have (liblz4's own limit is about 2 GB).
    public static let maxInputSize = 64 << 20

    /// Compresses `input`: with LZ4's fast mode, or with LZ4HC at `level` (slower to write, the same
    /// format and decoding speed); returns the compressed bytes.
    public static func compress(_ input: [UInt8], level: Int32? = nil) -> [UInt8] {
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { output, initialized in
            let written = input.withUnsafeBufferPointer { src in
                let source = UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: CChar.self)
                let destination = UnsafeMutableRawPointer(output.baseAddress!).assumingMemoryBound(to: CChar.self)
                return if let level {
                    LZ4_compress_HC(source, destination, Int32(input.count), Int32(bound), level)
                } else {
                    LZ4_compress_default(source, destination, Int32(input.count), Int32(bound))
                }
            }
            // Neither fails when the destination is compressBound large.
            initialized = Int(max(written, 0))
        }
    }

    /// Decompresses exactly `outputSize` bytes into `output`; returns false if the input is not a
    /// valid LZ4 block of that size.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, outputSize: Int
    )
        -> Bool
    {
        guard outputSize <= output.count, let src = input.baseAddress, let dst = output.baseAddress else {
            return outputSize == 0
        }
        let result = LZ4_decompress_safe(
            src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
            Int32(input.count), Int32(outputSize))
        return Int(result) == outputSize
    }

    /// Decompresses a block that was compressed against `dictionary` (the bytes before it in its
    /// chain; see `LZ4Chain`); returns false if the input is not a valid LZ4 block of that size.
    static func decompress(
        _ input: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer, outputSize: Int
    ) -> Bool {
        guard outputSize <= output.count, let src = input.baseAddress, let dst = output.baseAddress else {
            return outputSize == 0
        }
        let result = LZ4_decompress_safe_usingDict(
            src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
            Int32(input.count), Int32(outputSize), dictionary.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(dictionary.count))
        return Int(result) == outputSize
    }
}
