import CLZ4

/// Compresses a segment's blocks one after another (LZ4HC's streaming mode), each with the blocks
/// before it in the same chain as its dictionary (the last 64 KiB of their payloads). The output is
/// ordinary LZ4 block format, decoded by `LZ4_decompress_safe_usingDict`.
///
/// A live server writes a small block per group commit; on its own, each repeats the sites, hosts,
/// browsers and pages of the block before it. Compressed against its predecessors, a small block
/// costs about what its records would cost in a full block. The first block after ``restart()``
/// refers to nothing and is an ordinary independent block.
///
/// Not `Sendable`: the journal appender owns one and uses it from its writer thread only.
final class LZ4Chain {
    /// How much of the previous payloads LZ4 can refer to.
    static let window = 64 << 10
    /// LZ4HC's level. Small blocks are few bytes, so a closer search than LZ4's fast mode pays
    /// (blocks of 21 generated records: 26.6 bytes a record in fast mode, 21.3 at this level, 21.1
    /// at level 9), while the writer thread, which compresses on the way to each fsync, keeps its
    /// pace (level 9 cost about 8 % of durable ingest; this level nothing measurable). Decoding is
    /// the same.
    static let level: Int32 = 4
    /// Largest payload that joins the chain; a bigger one is compressed independently.
    static let maxLinkedInput = 1 << 20

    private let stream: UnsafeMutablePointer<LZ4_streamHC_t>
    /// The chain's recent payloads, back to back; the stream's dictionary points into it.
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes of `buffer` in use (the dictionary ends here).
    private var used = 0
    /// Uncompressed bytes compressed since the last restart.
    private(set) var bytesSinceRestart = 0

    init() {
        stream = LZ4_createStreamHC()
        buffer = .allocate(byteCount: Self.window + Self.maxLinkedInput, alignment: 16)
        LZ4_resetStreamHC_fast(stream, Self.level)
    }

    deinit {
        LZ4_freeStreamHC(stream)
        buffer.deallocate()
    }

    /// Whether the next block compressed would refer to earlier ones.
    var isLinked: Bool { bytesSinceRestart > 0 }

    /// Forgets the previous payloads: the next block is independent.
    func restart() {
        LZ4_resetStreamHC_fast(stream, Self.level)
        used = 0
        bytesSinceRestart = 0
    }

    /// Compresses `input` against the chain so far (nothing after ``restart()``) and adds it to the
    /// chain. Returns nil, with the chain restarted, when `input` is too large to join it.
    func compress(_ input: [UInt8]) -> [UInt8]? {
        guard input.count <= Self.maxLinkedInput else {
            restart()
            return nil
        }
        if used + input.count > buffer.count {
            // Keep the last window of the dictionary at the start of the buffer; the stream follows it.
            used = Int(
                LZ4_saveDictHC(stream, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(Self.window)))
        }
        let source = buffer.baseAddress! + used
        input.withUnsafeBytes { source.copyMemory(from: $0.baseAddress!, byteCount: input.count) }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        let output = [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { output, initialized in
            // Contiguous with the dictionary, so LZ4 refers back into it as a prefix.
            let written = LZ4_compress_HC_continue(
                stream, source.assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(output.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(input.count),
                Int32(bound))
            initialized = Int(max(written, 0))
        }
        used += input.count
        bytesSinceRestart += input.count
        return output
    }
}
