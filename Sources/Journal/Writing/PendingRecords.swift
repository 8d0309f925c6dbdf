/// Records waiting for the journal writer, kept as the appenders handed them over.
///
/// Appending stores a reference to the appender's array (copy-on-write), never copies its records;
/// a block that one array covers is encoded straight from a slice of it, and a bulk appender may
/// hand over a payload it already encoded on its own thread. Only small appends that must share a
/// block are copied together. Copying large `Hit` values was most of the writer's time.
struct PendingRecords {
    /// One appender's contribution.
    enum Chunk {
        case records([Hit])
        case encoded(BlockEncoder.Payload)

        var count: Int {
            switch self {
            case .records(let hits): hits.count
            case .encoded(let payload): payload.recordCount
            }
        }
    }

    /// What the writer takes for its next block.
    enum Batch {
        case records(ArraySlice<Hit>)
        case encoded(BlockEncoder.Payload)

        var count: Int {
            switch self {
            case .records(let hits): hits.count
            case .encoded(let payload): payload.recordCount
            }
        }
    }

    private var chunks: [Chunk] = []
    /// Index of the first chunk not yet consumed.
    private var chunkStart = 0
    /// Records of `chunks[chunkStart]` already consumed (record chunks only).
    private var offset = 0
    /// Records waiting.
    private(set) var count = 0

    /// Adds an appender's records.
    mutating func append(_ chunk: Chunk) {
        guard chunk.count > 0 else { return }
        chunks.append(chunk)
        count += chunk.count
    }

    /// The next block's worth (at most `limit` records), without removing it. An encoded payload is
    /// always a block of its own.
    func peek(_ limit: Int) -> Batch? {
        guard count > 0 else { return nil }
        if case .encoded(let payload) = chunks[chunkStart] { return .encoded(payload) }
        guard case .records(let first) = chunks[chunkStart] else { return nil }
        if first.count - offset >= limit { return .records(first[offset..<(offset + limit)]) }
        var combined = Array(first[offset...])
        var index = chunkStart + 1
        while combined.count < limit, index < chunks.count, case .records(let more) = chunks[index] {
            combined.append(contentsOf: more.prefix(limit - combined.count))
            index += 1
        }
        return .records(combined[...])
    }

    /// Removes the first `n` waiting records (after they were written).
    mutating func removeFirst(_ n: Int) {
        var left = n
        count -= n
        while left > 0 {
            let available = chunks[chunkStart].count - offset
            if available > left {
                offset += left
                return
            }
            left -= available
            chunkStart += 1
            offset = 0
        }
        if chunkStart == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            chunkStart = 0
        } else if chunkStart > 1024 && chunkStart * 2 > chunks.count {
            chunks.removeFirst(chunkStart)
            chunkStart = 0
        }
    }

    /// Drops everything waiting.
    mutating func removeAll() {
        chunks.removeAll()
        chunkStart = 0
        offset = 0
        count = 0
    }
}
