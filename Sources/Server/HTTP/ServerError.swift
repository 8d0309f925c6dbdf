/// A problem with the server's own files or settings: what, where, and what to do.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// A machine-readable reason.
    public var code: String
    /// What went wrong.
    public var message: String
    /// The file concerned, if any.
    public var file: String?
    /// What to do about it.
    public var hint: String?

    /// An error.
    public init(_ message: String, code: String = "server", file: String? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.hint = hint
    }

    /// One line: message, file, hint.
    public var description: String {
        var text = message
        if let file { text += " (\(file))" }
        if let hint { text += ". \(hint)" }
        return text
    }
}
