/// A page path with wildcards, as goals and funnels write them: `*` stands for any characters
/// within one path segment, `**` for any characters across segments (`/blog/**`,
/// `/product/*/buy`). Everything else is literal, and the whole path must match.
public struct PathPattern: Sendable, Hashable {
    /// The pattern as written.
    public let text: String

    /// A pattern; it must start with `/` and be at most 1,024 characters.
    public init(_ text: String) throws {
        guard text.hasPrefix("/"), text.utf8.count <= 1024 else {
            throw QueryError.invalid(
                "'\(text.prefix(80))' is not a page path pattern; start it with / (e.g. /blog/** or /product/*/buy)",
                field: "path")
        }
        self.text = text
    }

    /// The same condition as an anchored regular expression.
    public var regularExpression: String {
        var out = "^"
        var characters = text[...]
        while let character = characters.first {
            if characters.hasPrefix("**") {
                out += ".*"
                characters = characters.dropFirst(2)
                continue
            }
            characters = characters.dropFirst()
            if character == "*" {
                out += "[^/]*"
            } else if "\\^$.|?+()[]{}".contains(character) {
                out += "\\" + String(character)
            } else {
                out.append(character)
            }
        }
        return out + "$"
    }
}
