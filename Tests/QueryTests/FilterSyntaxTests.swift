import Foundation
import Projections
import Testing

@testable import Query

/// The command-line filter syntax (`country==DE|FR`, `page!=~\.pdf$`) and the Stats API's JSON
/// filters mean the same comparisons.
@Suite("filter syntax")
struct FilterSyntaxTests {
    static func comparison(_ text: String) throws -> Filter.Comparison {
        guard case .compare(let comparison) = try Filter(commandLine: text) else {
            throw QueryError.invalid("not a comparison", field: "test")
        }
        return comparison
    }

    @Test(
        "each operator is read, the longest first",
        arguments: [
            ("country==DE", Filter.Operator.is), ("browser!=Safari", .isNot), ("page~=/blog", .contains),
            ("page!~=/admin", .containsNot), ("page=~^/docs/", .matches), (#"page!=~\.pdf$"#, .matchesNot),
        ])
    func operators(text: String, op: Filter.Operator) throws {
        #expect(try Self.comparison(text).op == op)
    }

    @Test("several values with |, but a regular expression keeps its | as alternation")
    func values() throws {
        #expect(try Self.comparison("country==DE|FR|GB").values == ["DE", "FR", "GB"])
        #expect(try Self.comparison("page=~^/(en|de)/").values == ["^/(en|de)/"])
        #expect(try Self.comparison("page==").values == [""])
    }

    @Test("a value may contain the operator's characters after the first one")
    func valueWithOperatorCharacters() throws {
        let comparison = try Self.comparison("page==/a==b")
        #expect(comparison.dimension == .page && comparison.values == ["/a==b"])
    }

    @Test("props:KEY filters on a custom property")
    func propertyFilter() throws {
        let comparison = try Self.comparison("props:plan==pro")
        #expect(comparison.propertyKey == "plan" && comparison.values == ["pro"])
    }

    @Test("no operator, or an unknown dimension, is refused with the syntax or the valid names")
    func refused() {
        #expect {
            _ = try Filter(commandLine: "country:DE")
        } throws: { "\($0)".contains("DIMENSION==VALUE") }
        #expect {
            _ = try Filter(commandLine: "planet==Mars")
        } throws: { "\($0)".contains("planet") && "\($0)".contains("country") }
    }

    @Test("the JSON form names the same comparison as the command line")
    func jsonMatchesCommandLine() throws {
        for text in ["country==DE|FR", "page!~=/admin", "props:plan==pro", "source!=Google"] {
            let filter = try Filter(commandLine: text)
            var out = JSONWriter()
            filter.write(to: &out)
            let parsed = try Filter.parse(
                try JSONSerialization.jsonObject(with: Data(out.bytes)), field: "filters[0]")
            #expect(parsed == filter, "\(text)")
        }
    }
}
