/// The recent payloads of one chain of linked blocks, as a reader puts them back together.
///
/// A linked block (``BlockHeader/Codec/linked``) was compressed against the payloads of the blocks
/// before it, back to the independent block that started its chain. A reader walking a segment in
/// order keeps them here; one that jumps (a skipped block, another thread's share) first
/// decompresses the blocks it missed (see `SegmentCursor`).
struct ChainHistory {
    /// Offset of the chain's first (independent) block in its segment; nil before any block.
    private(set) var start: Int64?
    /// Offset just past the last block whose payload is in ``bytes``.
    private(set) var end: Int64 = 0
    /// The chain's payloads so far, of which at least the last ``LZ4Chain/window`` bytes are kept.
    private(set) var bytes: [UInt8] = []

    /// Starts the chain of the independent block at `offset`.
    mutating func begin(at offset: Int64) {
        start = offset
        end = offset
        bytes.removeAll(keepingCapacity: true)
    }

    /// Adds the payload of the block that ends at `end`.
    mutating func append(_ payload: UnsafeRawBufferPointer, end: Int64) {
        self.end = end
        // Only the last window can be referred to; trim rarely (at four windows) to copy little.
        let tail = UnsafeRawBufferPointer(rebasing: payload[max(0, payload.count - LZ4Chain.window)...])
        if bytes.count + tail.count > 4 * LZ4Chain.window {
            bytes.removeFirst(bytes.count - min(bytes.count, max(0, LZ4Chain.window - tail.count)))
        }
        bytes.append(contentsOf: tail)
    }

    /// Forgets everything (after damage, or for another segment).
    mutating func clear() {
        start = nil
        end = 0
        bytes.removeAll(keepingCapacity: true)
    }

    /// The dictionary a linked block is decompressed against: the last window of the payloads.
    func withDictionary<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[max(0, all.count - LZ4Chain.window)...]))
        }
    }
}
