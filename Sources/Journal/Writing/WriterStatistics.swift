/// What the journal writer has done: bytes written, blocks, and how long each fsync took, as a
/// Prometheus-style cumulative histogram.
public struct WriterStatistics: Sendable, Equatable {
    /// Upper bounds of the fsync-latency buckets, in seconds.
    public static let bucketBounds: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// Block bytes appended to segments (headers of new segments not included).
    public var bytesWritten: UInt64 = 0
    /// Blocks written.
    public var blocks: UInt64 = 0
    /// For each bound in ``bucketBounds``, how many fsyncs took at most that long (cumulative).
    public var fsyncBuckets = [UInt64](repeating: 0, count: WriterStatistics.bucketBounds.count)
    /// Number of fsyncs.
    public var fsyncCount: UInt64 = 0
    /// Total fsync time, in seconds.
    public var fsyncSeconds: Double = 0

    /// Records one block of `bytes`, and its fsync duration if it was synced.
    mutating func record(bytes: Int, fsync seconds: Double?) {
        bytesWritten += UInt64(bytes)
        blocks += 1
        guard let seconds else { return }
        fsyncCount += 1
        fsyncSeconds += seconds
        for (index, bound) in Self.bucketBounds.enumerated() where seconds <= bound { fsyncBuckets[index] += 1 }
    }
}
