/// A stretch of journal records that could not be read: a damaged block or segment header, a
/// payload that fails its checksum, or records that no segment holds (a deleted segment).
///
/// Readers that step over damage (``JournalReader/blocks(_:skipDamaged:)``) report each one, so
/// that every answer built without those records can say which are missing.
public struct DamagedRange: Sendable, Hashable, CustomStringConvertible {
    /// The segment file the damage is in (for a missing range: the segment after the gap).
    public let file: String
    /// Where the damage starts in it (0 for a whole segment or a gap).
    public let offset: Int64
    /// The first sequence number that is missing.
    public let firstSequence: UInt64
    /// The sequence number after the last one missing.
    public let endSequence: UInt64
    /// What is wrong, in a few words.
    public let reason: String
    /// The time span of the missing records (ms UTC, half-open), when an intact block header told
    /// it; nil when unknown, so the loss may concern any day.
    public let time: Range<Int64>?

    /// A damaged range.
    public init(
        file: String, offset: Int64, firstSequence: UInt64, endSequence: UInt64, reason: String,
        time: Range<Int64>? = nil
    ) {
        self.file = file
        self.offset = offset
        self.firstSequence = firstSequence
        self.endSequence = max(firstSequence, endSequence)
        self.reason = reason
        self.time = time
    }

    /// How many records are missing.
    public var lostRecords: UInt64 { endSequence - firstSequence }

    /// The segment's file name, without its folder (what answers over HTTP may show).
    public var fileName: String { file.split(separator: "/").last.map(String.init) ?? file }

    /// Whether records of this range may fall into `window` (ms UTC).
    public func mayConcern(_ window: Range<Int64>) -> Bool {
        guard let time else { return true }
        return time.lowerBound < window.upperBound && window.lowerBound < time.upperBound
    }

    /// One line for people, naming the segment by its file name only.
    public var description: String {
        "records \(firstSequence)..<\(endSequence) (\(lostRecords)) are missing: \(reason) (\(fileName) at byte \(offset))"
    }
}
