extension JournalReader {
    /// The sequence number the next record will get: the end of the last durable block (only the
    /// last segment's headers are read), 0 for an empty journal.
    public func endSequence() throws -> UInt64 {
        guard let last = try directory.segments().last else { return 0 }
        var headers = try headers(BlockSelection(from: last.firstSequence), skipDamaged: true)
        var end = last.firstSequence
        while let entry = try headers.next() { end = max(end, entry.header.endSequence) }
        return max(end, headers.damaged.map(\.endSequence).max() ?? 0)
    }
}
