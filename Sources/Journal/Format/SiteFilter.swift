/// A 64-bit Bloom filter of the sites in a block (two bits per site), so a reader can skip blocks
/// that cannot hold a site's records without decompressing them.
///
/// The hash is FNV-1a over the site's UTF-8 bytes, fixed by the format (never Swift's per-process
/// random `Hasher`), so a filter written today reads the same in any process.
public struct SiteFilter: Sendable, Hashable {
    /// The filter's bits as stored in the block header.
    public var bits: UInt64

    /// Creates a filter from stored bits.
    public init(bits: UInt64 = 0) { self.bits = bits }

    /// The two bits that stand for a site.
    public static func mask(for site: String) -> UInt64 {
        let hash = fnv1a(site)
        return (1 << (hash & 63)) | (1 << ((hash >> 6) & 63))
    }

    /// Adds a site.
    public mutating func insert(_ site: String) { bits |= SiteFilter.mask(for: site) }

    /// Whether the block may hold records of the site (false means it certainly does not).
    public func mayContain(_ site: String) -> Bool {
        let mask = SiteFilter.mask(for: site)
        return bits & mask == mask
    }

    /// 64-bit FNV-1a of a string's UTF-8 bytes.
    static func fnv1a(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
