/// Why a projection step failed: a code to match on, a message for people, where, and what to do.
public struct ProjectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable reason.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's text.
        public let rawValue: String
        /// A code.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// A rollup file is damaged (bad magic, checksum or structure).
        public static let corrupt = Code("corrupt")
        /// A rollup file or folder was written by another format version; rebuild it.
        public static let staleFormat = Code("stale-format")
        /// Reading or writing rollup files failed.
        public static let io = Code("io")
        /// The disk had no space for a write, which did not complete; it can be tried again.
        public static let diskFull = Code("disk-full")
        /// Another rebuild holds the lock.
        public static let locked = Code("locked")
        /// The journal could not be read.
        public static let journal = Code("journal")
        /// An argument was out of range.
        public static let invalidArgument = Code("invalid-argument")
    }

    /// The reason.
    public var code: Code
    /// What went wrong, for people.
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    /// The byte offset in `file`, if known.
    public var offset: Int64?
    /// What to do about it.
    public var hint: String?

    /// An error.
    public init(_ code: Code, _ message: String, file: String? = nil, offset: Int64? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
        self.hint = hint
    }

    /// One line: message, place, hint.
    public var description: String {
        var text = message
        if let file { text += " (\(file)\(offset.map { " at byte \($0)" } ?? ""))" }
        if let hint { text += ". \(hint)" }
        return text
    }
}
