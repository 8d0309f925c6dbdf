/// Numbers the copies of identical lines within one file (1, 2, …), so that each copy has its
/// own key. Identical log lines share their time to the second, so they stand close together: the
/// counter remembers the last ``window`` lines, which keeps its memory bounded on any file.
struct OccurrenceCounter {
    static let window = 1 << 20
    private var last: [UInt64: (occurrence: Int, position: Int)] = [:]
    private var ring: [UInt64] = []
    private var position = 0

    /// The occurrence of the line with this hash, counting this one.
    mutating func next(_ hash: UInt64) -> Int {
        if ring.count == Self.window {
            let old = ring[position % Self.window]
            if last[old]?.position == position - Self.window { last[old] = nil }
            ring[position % Self.window] = hash
        } else {
            ring.append(hash)
        }
        let occurrence = (last[hash]?.occurrence ?? 0) + 1
        last[hash] = (occurrence, position)
        position += 1
        return occurrence
    }
}
