import Foundation
import Testing

@testable import Ingest
@testable import Server

/// The event body's strings read as any JSON reader reads them, escaped or not.
@Suite("Event payload strings")
struct EventPayloadTests {
    /// Bodies with plain strings, every kind of escape, surrogate pairs, a NUL in a key, long names.
    static let bodies = [
        #"{"n":"pageview","u":"https://example.com/a?utm_source=x","d":"example.com","r":"","p":{"k":"v"}}"#,
        #"{"n":"click \"buy\"","u":"https://example.com/caf\u00e9\/menu","d":"example.com","r":"a\\b\tc\n"}"#,
        #"{"n":"pageview","u":"https://example.com/\ud83d\ude00","d":"example.com","p":{"k\u0000ey":"\u65e5\u672c","plain":"日本 😀"}}"#,
        #"{"name":"pageview","url":"https://example.com/","domain":"example.com","referrer":"\"\"","props":{"":"\/"}}"#,
    ]

    @Test("plain and escaped strings read as JSONSerialization reads them", arguments: bodies)
    func stringsReadAsAnyJSONReader(body: String) throws {
        guard case .event(let event) = EventPayload.decode(Array(body.utf8)) else {
            Issue.record("refused: \(body)")
            return
        }
        let oracle = try #require(
            JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        func field(_ short: String, _ long: String) -> String? { (oracle[short] ?? oracle[long]) as? String }
        #expect(event.name == field("n", "name"))
        #expect(event.url == field("u", "url"))
        #expect(event.domain == field("d", "domain"))
        #expect(event.referrer == field("r", "referrer"))
        let props = (oracle["p"] ?? oracle["props"]) as? [String: String] ?? [:]
        #expect(event.props.count == props.count)
        for (key, value) in event.props {
            guard case .string(let text) = value else {
                Issue.record("property \(key) is not a string")
                continue
            }
            #expect(props[key] == text, "property \(key.debugDescription)")
        }
    }

    @Test("an unclosed or control-character string is refused, not read short")
    func brokenStringsAreRefused() {
        for body in [
            #"{"n":"pageview"#, "{\"n\":\"page\u{01}view\",\"u\":\"https://example.com/\",\"d\":\"example.com\"}",
        ] {
            guard case .failure(let problems) = EventPayload.decode(Array(body.utf8)) else {
                Issue.record("accepted: \(body.debugDescription)")
                continue
            }
            #expect(problems.first?.message.contains("not valid JSON") == true)
        }
    }

    @Test("a body that is not UTF-8 is refused as such; one with UTF-8 beyond ASCII is read")
    func utf8IsChecked() {
        let plain = Array(#"{"n":"pageview","u":"https://example.com/","d":"example.com","p":{"k":"XY"}}"#.utf8)
        let at = plain.firstIndex(of: UInt8(ascii: "X"))!
        for bad: [UInt8] in [[0xFF, 0xFF], [0xC3, 0x28], [0xE2, 0x82]] {
            var body = plain
            body.replaceSubrange(at...(at + 1), with: bad)
            guard case .failure(let problems) = EventPayload.decode(body) else {
                Issue.record("accepted bytes \(bad)")
                continue
            }
            #expect(problems.first?.message == "the body is not valid UTF-8")
        }
        var good = plain
        good.replaceSubrange(at...(at + 1), with: Array("é".utf8))
        guard case .event(let event) = EventPayload.decode(good) else {
            Issue.record("refused a body with é")
            return
        }
        #expect(event.props.first?.value == .string("é"))
    }

    @Test(
        "every field reads the same by its short and its long name; the short name wins, then the first of a repeated key"
    )
    func fieldsByEitherName() throws {
        func event(_ body: String) throws -> IncomingEvent {
            guard case .event(let event) = EventPayload.decode(Array(body.utf8)) else {
                throw PayloadRefused(body: body)
            }
            return event
        }
        let short = try event(
            #"{"n":"Signup","u":"https://example.com/a","d":"example.com","r":"https://t.co/x","p":{"plan":"pro"},"$":{"amount":"9.5","currency":"EUR"},"h":true,"i":false,"g":1,"w":390,"e":1200,"sd":75}"#
        )
        let long = try event(
            #"{"name":"Signup","url":"https://example.com/a","domain":"example.com","referrer":"https://t.co/x","props":{"plan":"pro"},"revenue":{"amount":"9.5","currency":"EUR"},"hashMode":true,"interactive":false,"privacySignal":1,"w":390,"e":1200,"sd":75}"#
        )
        for read in [short, long] {
            #expect(read.name == "Signup" && read.url == "https://example.com/a" && read.domain == "example.com")
            #expect(read.referrer == "https://t.co/x")
            #expect(read.props.map(\.key) == ["plan"])
            #expect(read.revenue?.currency == "EUR")
            #expect(read.hashMode && !read.interactive && read.privacySignal)
            #expect(read.screenWidth == 390 && read.engagedMilliseconds == 1200 && read.scrollDepth == 75)
        }
        // Both names: the short one wins, even when it is null; a repeated key: its first value.
        let both = try event(
            #"{"name":"long","n":"short","u":"https://example.com/1","u":"https://example.com/2","d":"example.com","r":null,"referrer":"https://t.co/x","w":1,"w":2}"#
        )
        #expect(both.name == "short" && both.url == "https://example.com/1")
        #expect(both.referrer == nil && both.screenWidth == 1)
        // Unknown keys and keys that only look like ours are ignored; problems name the short field.
        let near = try event(
            #"{"n":"pageview","u":"https://example.com/","d":"example.com","nam":"x","URL":"x","ss":1,"s":1,"":2}"#)
        #expect(near.name == "pageview" && near.url == "https://example.com/")
        guard
            case .failure(let problems) = EventPayload.decode(
                Array(#"{"url":5,"domain":"example.com","sd":"deep"}"#.utf8))
        else {
            Issue.record("accepted a body without a name")
            return
        }
        #expect(Set(problems.compactMap(\.field)) == ["n", "u", "sd"])
    }

    struct PayloadRefused: Error {
        let body: String
    }
}
