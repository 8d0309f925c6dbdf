import Foundation
import Projections

extension Filter {
    /// The command-line operators, longest first so that `!=~` is not read as `!=`.
    static let syntax: [(String, Operator)] = [
        ("!=~", .matchesNot), ("!~=", .containsNot), ("==", .is), ("!=", .isNot), ("~=", .contains),
        ("=~", .matches),
    ]

    /// Parses the command-line form: `country==DE`, `country==DE|FR`, `page~=/blog`, `page!~=/admin`,
    /// `page=~^/docs/.*`, `page!=~\.pdf$`, `props:plan==pro`.
    public init(commandLine text: String) throws {
        var found: (String, Operator, String.Index)?
        var index = text.startIndex
        search: while index < text.endIndex {
            for (symbol, op) in Self.syntax where text[index...].hasPrefix(symbol) {
                found = (symbol, op, index)
                break search
            }
            index = text.index(after: index)
        }
        guard let (symbol, op, at) = found else {
            throw QueryError.invalid(
                "'\(text)' is not a filter; write DIMENSION==VALUE (is), != (is not), ~= (contains), !~= (does not contain), "
                    + "=~ (matches a regular expression), !=~ (does not match); several values with |, e.g. country==DE|FR",
                field: "--filter")
        }
        let name = String(text[..<at]).trimmingCharacters(in: .whitespaces)
        let value = String(text[text.index(at, offsetBy: symbol.count)...])
        let values = op == .matches || op == .matchesNot ? [value] : value.split(separator: "|").map(String.init)
        self = .compare(try Comparison(op: op, name: name, values: values.isEmpty ? [""] : values, field: "--filter"))
    }
}
