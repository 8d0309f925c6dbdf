/// The one error type of the Journal module: what went wrong, where, and what to do about it.
///
/// Every error carries a machine-readable ``code``, a human ``message``, and, where it applies, the
/// file and byte offset it concerns, plus a ``hint`` that tells a user what to do next.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable error category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, as shown in messages and logs.
        public let rawValue: String
        /// Creates a code from its stable name.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's stable name.
        public var description: String { rawValue }

        /// A block or segment header failed its checks (checksum, magic, lengths or sequence).
        public static let corrupt = Code("corrupt")
        /// The journal folder holds a file that is not a segment.
        public static let foreignFile = Code("foreign-file")
        /// A segment was written by a newer (or unknown) format version.
        public static let unsupportedVersion = Code("unsupported-version")
        /// A segment file is empty or too short to hold its header.
        public static let emptySegment = Code("empty-segment")
        /// The journal folder or a file in it cannot be written.
        public static let notWritable = Code("not-writable")
        /// The journal folder does not exist or holds no segments.
        public static let notFound = Code("not-found")
        /// A system call failed (read, write, fsync, rename…).
        public static let io = Code("io")
        /// The disk (or the user's quota) had no space for a write, which did not complete; it can be
        /// tried again once there is space.
        public static let diskFull = Code("disk-full")
        /// The writer's bounded queue is full; the caller should retry later.
        public static let overloaded = Code("overloaded")
        /// The writer was closed, or failed earlier and can no longer accept records.
        public static let closed = Code("closed")
        /// Another process holds the journal's writer lock.
        public static let locked = Code("locked")
        /// A record or argument is outside what the format can hold.
        public static let invalidArgument = Code("invalid-argument")
    }

    /// The error's category.
    public var code: Code
    /// What went wrong, in one sentence.
    public var message: String
    /// The file the error concerns, if any.
    public var file: String?
    /// The byte offset in ``file`` the error concerns, if any.
    public var offset: Int64?
    /// What the user can do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, file: String? = nil, offset: Int64? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
        self.hint = hint
    }

    /// One line: the message, the place, and the hint.
    public var description: String {
        var text = message
        if let file {
            text += " (\(file)"
            if let offset { text += " at byte \(offset)" }
            text += ")"
        }
        if let hint { text += ". \(hint)" }
        return text
    }
}
