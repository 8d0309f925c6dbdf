/// Why a query could not be answered: a code, a message that names the wrong field or flag and
/// lists the valid choices, and the field it is about.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable reason.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's text.
        public let rawValue: String
        /// A code.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// The request is malformed or names something that does not exist.
        public static let invalid = Code("invalid-query")
        /// The site is not registered.
        public static let unknownSite = Code("unknown-site")
        /// Reading rollups or the journal failed.
        public static let storage = Code("storage")
        /// The query would cost more than one query may (its time budget ran out).
        public static let tooExpensive = Code("too-expensive")
    }

    /// The reason.
    public var code: Code
    /// What is wrong, for people.
    public var message: String
    /// The field or flag concerned (`metrics`, `date_range`, `filters[1]`), if any.
    public var field: String?

    /// An error.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// An invalid-query error about `field`.
    static func invalid(_ message: String, field: String) -> QueryError { QueryError(.invalid, message, field: field) }

    /// The message, with the field when there is one.
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
