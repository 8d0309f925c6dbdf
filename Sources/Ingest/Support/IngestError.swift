/// The one error type of the Ingest module: a code, a message, the field or file it concerns, and
/// what to do about it.
public struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name.
        public let rawValue: String
        /// Creates a code.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's stable name.
        public var description: String { rawValue }

        /// A request field is missing or malformed.
        public static let invalidField = Code("invalid-field")
        /// The GeoIP database cannot be used.
        public static let geoip = Code("geoip")
        /// The salt file cannot be read or written.
        public static let salts = Code("salts")
        /// The disk had no space for a write (the salt file); the same write works once there is space.
        public static let diskFull = Code("disk-full")
        /// A configuration value is wrong (time zone, proxy block…).
        public static let configuration = Code("configuration")
        /// An import could not read its input or keep its records.
        public static let importFailed = Code("import-failed")
    }

    /// The category.
    public var code: Code
    /// What is wrong, in one sentence.
    public var message: String
    /// The request field concerned (e.g. `u`, `props.plan`), if any.
    public var field: String?
    /// The file concerned, if any.
    public var file: String?
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, field: String? = nil, file: String? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.file = file
        self.hint = hint
    }

    /// One line for people.
    public var description: String {
        var text = message
        if let field { text = "\(field): " + text }
        if let file { text += " (\(file))" }
        if let hint { text += ". \(hint)" }
        return text
    }
}
