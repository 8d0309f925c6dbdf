/// Which blocks a reader returns: a sequence range, a time range and a site, all decided from block
/// headers so that blocks outside them are never decompressed.
public struct BlockSelection: Sendable, Hashable {
    /// First sequence number wanted (blocks that end before it are skipped).
    public var from: UInt64
    /// Sequence number to stop before, e.g. a writer's durable watermark; nil reads to the end.
    public var until: UInt64?
    /// Timestamps wanted, ms since epoch UTC (half-open); nil for all.
    public var time: Range<Int64>?
    /// The site wanted; nil for all sites.
    public var site: String?

    /// A selection; the defaults select everything.
    public init(from: UInt64 = 0, until: UInt64? = nil, time: Range<Int64>? = nil, site: String? = nil) {
        self.from = from
        self.until = until
        self.time = time
        self.site = site
    }

    /// Whether a block with this header may hold wanted records.
    public func admits(_ header: BlockHeader) -> Bool {
        if header.endSequence <= from { return false }
        if let until, header.firstSequence >= until { return false }
        if let time, header.maxTimestamp < time.lowerBound || header.minTimestamp >= time.upperBound { return false }
        if let site, !header.sites.mayContain(site) { return false }
        return true
    }
}
