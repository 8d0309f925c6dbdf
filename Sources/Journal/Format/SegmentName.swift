/// Segment file names: the first sequence number, zero-padded to 20 digits, and `.seg`, so that
/// `ls` lists segments in journal order.
public enum SegmentName {
    /// The file name extension of segments.
    public static let suffix = ".seg"

    /// The file name of the segment whose first record has `sequence`.
    public static func fileName(firstSequence sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: 20 - digits.count) + digits + suffix
    }

    /// The first sequence number a segment file name stands for, or nil if it is not a segment name.
    public static func firstSequence(of fileName: String) -> UInt64? {
        guard fileName.utf8.count == 24, fileName.hasSuffix(suffix) else { return nil }
        let digits = fileName.prefix(20)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }
}
