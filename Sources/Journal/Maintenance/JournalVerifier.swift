#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks every segment, block header, checksum, sequence number and payload of a journal, and
/// lists every problem with its file and offset. It reads only; it never changes a file.
public struct JournalVerifier: Sendable {
    /// One problem found.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// How bad a finding is.
        public enum Severity: String, Sendable, Hashable {
            /// Damage: records are unreadable or the journal is inconsistent.
            case error
            /// An unfinished final block at the end of the last segment: a write in progress, or one a
            /// crash interrupted. It was never acknowledged; the writer cuts it when it next opens.
            case tornTail = "torn tail"
        }
        /// How bad it is.
        public let severity: Severity
        /// The segment file.
        public let file: String
        /// The byte offset in that file.
        public let offset: Int64
        /// What is wrong.
        public let message: String

        /// One line for people.
        public var description: String { "\(severity): \(file) at byte \(offset): \(message)" }
    }

    /// What a verification found.
    public struct Report: Sendable {
        /// Segments checked.
        public var segments = 0
        /// Intact blocks.
        public var blocks = 0
        /// Records in intact blocks.
        public var records: UInt64 = 0
        /// Every problem, in file order.
        public var findings: [Finding] = []
        /// Whether there is any damage (torn tails alone do not count).
        public var isClean: Bool { !findings.contains { $0.severity == .error } }
    }

    /// The journal folder.
    public let directory: JournalDirectory

    /// A verifier of the journal in `directory`.
    public init(directory: JournalDirectory) { self.directory = directory }

    /// Verifies the whole journal; `progress` is called after each segment with (done, total).
    public func verify(progress: (Int, Int) -> Void = { _, _ in }) throws -> Report {
        let segments = try directory.segments()
        var report = Report()
        var previousEnd: UInt64?
        var buffer: [UInt8] = []
        for (index, segment) in segments.enumerated() {
            defer { progress(index + 1, segments.count) }
            report.segments += 1
            let isLast = index == segments.count - 1
            var cursor: SegmentCursor
            do {
                cursor = try SegmentCursor(segment: segment)
            } catch let error as JournalError {
                report.findings.append(
                    Finding(severity: .error, file: segment.path, offset: error.offset ?? 0, message: error.message))
                previousEnd = nil
                continue
            }
            if let previousEnd, segment.firstSequence != previousEnd {
                report.findings.append(
                    Finding(
                        severity: .error, file: segment.path, offset: 0,
                        message:
                            "segment starts at record \(segment.firstSequence) but the previous one ends at \(previousEnd)"
                    ))
            }
            /// After damage at `offset`, reports the records up to the next intact block and goes on
            /// from it; false when no intact block follows.
            func resume(after offset: Int64, _ reason: String) throws -> Bool {
                var probe = cursor
                guard let resumed = try probe.resynchronize(after: offset) else { return false }
                report.findings.append(
                    Finding(
                        severity: .error, file: segment.path, offset: offset,
                        message:
                            "\(reason); records \(cursor.expectedSequence)..<\(resumed.header.firstSequence) are unreadable"
                    ))
                cursor = probe
                try check(resumed, cursor: &cursor, segment: segment, isLast: isLast, buffer: &buffer, into: &report)
                return true
            }
            walk: while true {
                switch try cursor.next() {
                case .end:
                    // Zeros after the blocks of an open segment are space reserved for the next
                    // ones; intact blocks after them are records a hole cut off.
                    if cursor.offset < cursor.fileSize, try resume(after: cursor.offset, "zeros where a block belongs")
                    {
                        continue walk
                    }
                    break walk
                case .problem(let reason, let offset):
                    guard try !resume(after: offset, reason) else { continue walk }
                    report.findings.append(
                        Finding(
                            severity: isLast ? .tornTail : .error, file: segment.path, offset: offset,
                            message: isLast
                                ? "\(reason) (an unfinished final block: `infinity serve` cuts it when it next opens the journal)"
                                : "\(reason); the rest of this sealed segment is unreadable"))
                    break walk
                case .block(let found):
                    try check(found, cursor: &cursor, segment: segment, isLast: isLast, buffer: &buffer, into: &report)
                }
            }
            previousEnd = cursor.expectedSequence
        }
        return report
    }

    private func check(
        _ found: SegmentCursor.Found, cursor: inout SegmentCursor, segment: JournalDirectory.Segment, isLast: Bool,
        buffer: inout [UInt8], into report: inout Report
    ) throws {
        do {
            let block = try cursor.decode(found, buffer: &buffer)
            precondition(block.count == Int(found.header.recordCount))
            report.blocks += 1
            report.records += UInt64(block.count)
        } catch let error as JournalError where error.code == .corrupt {
            let atEnd = try cursor.endsData(at: found.end)
            report.findings.append(
                Finding(
                    severity: isLast && atEnd ? .tornTail : .error, file: segment.path, offset: found.offset,
                    message: "\(error.message) (records \(found.header.firstSequence)..<\(found.header.endSequence))"))
        }
    }
}
