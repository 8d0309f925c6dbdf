/// How a journal writer batches, syncs, rolls and bounds its work.
public struct JournalConfiguration: Sendable {
    /// The journal folder (`<data>/journal`); created if missing.
    public var directory: String
    /// A segment is rolled before it would grow past this many bytes (64 MiB by default).
    public var segmentSizeLimit: Int64
    /// When blocks are cut and whether they are fsynced.
    public var commit: CommitPolicy
    /// The most records that may wait for the writer; appends beyond it fail with
    /// ``JournalError/Code/overloaded`` instead of growing memory.
    public var queueCapacity: Int
    /// Versions of the classifiers that produce the records (UA rules, GeoIP build, bot list…),
    /// written into the header of every new segment.
    public var classifiers: [String: String]
    /// What a full disk does to the writer. Nil (the default): it stops the writer like any other
    /// failed write, so that a tool's later `flush` or `close` reports it too. A duration (`serve`
    /// gives one second): the writer goes on; appends are refused for that long (at once, with
    /// ``JournalError/Code/diskFull``), then the next block tries again. Only for appenders that
    /// wait for their own records (every `append` and `appendBlocking`; a failed block's records
    /// are dropped, and a `flush` does not report them).
    public var diskFullRetry: Duration?
    /// Told of every block written, on the writer's thread, after the lock is released: its bytes.
    /// For metrics; keep it short.
    public var blockObserver: (@Sendable (_ bytes: Int) -> Void)?
    /// How many appenders can wait at once (a server's connections), so that a block lingering
    /// for the commit delay is cut as soon as all of them wait; nil: the delay always runs out.
    public var appenders: ConcurrentAppenders?
    /// Told of every fsync of written blocks (after each block, or periodically, as the commit
    /// policy says), on the writer's thread: its duration in seconds. For metrics; keep it short.
    public var syncObserver: (@Sendable (_ seconds: Double) -> Void)?

    /// A configuration with safe defaults: fsync every block, 8,192 records a block at most, 64 MiB segments.
    public init(
        directory: String, segmentSizeLimit: Int64 = 64 << 20, commit: CommitPolicy = CommitPolicy(),
        queueCapacity: Int = 1 << 18, classifiers: [String: String] = [:]
    ) {
        self.directory = directory
        self.segmentSizeLimit = segmentSizeLimit
        self.commit = commit
        self.queueCapacity = queueCapacity
        self.classifiers = classifiers
    }
}

/// The group-commit policy: how records gather into blocks and how blocks reach the disk.
public struct CommitPolicy: Sendable, Hashable {
    /// Whether each block is flushed to the disk before its appenders are told it is durable.
    public enum Sync: String, Sendable, Hashable, CaseIterable {
        /// `fdatasync` after every block (the default): an acknowledged record survives a power cut.
        case everyBlock = "block"
        /// `fdatasync` at most ``CommitPolicy/syncInterval`` after a block is written, not before
        /// its appenders are told: an acknowledged record survives a process crash, and a power cut
        /// loses at most that interval's records.
        case periodic = "second"
        /// Leave flushing to the OS (segments are still fsynced when sealed and on close): an
        /// acknowledged record survives a process crash, not a power cut.
        case none
    }

    /// The most records in one block.
    public var maxRecords: Int
    /// How long the writer may wait for more records before it cuts a block that is not full.
    /// Zero (the default) cuts at once; records that arrive while a block is being written and
    /// synced still share the next block, which is what makes group commit fast.
    public var maxDelay: Duration
    /// Whether blocks are fsynced.
    public var sync: Sync
    /// With ``Sync/periodic``: how long a written block may wait for its fsync.
    public var syncInterval: Duration

    /// Creates a policy; the defaults are the safe ones.
    public init(
        maxRecords: Int = 8192, maxDelay: Duration = .zero, sync: Sync = .everyBlock,
        syncInterval: Duration = .seconds(1)
    ) {
        self.maxRecords = max(1, min(maxRecords, BlockEncoder.maxRecords))
        self.maxDelay = maxDelay
        self.sync = sync
        self.syncInterval = syncInterval
    }
}
