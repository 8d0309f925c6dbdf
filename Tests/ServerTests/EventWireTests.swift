import Foundation
import HTTPTypes
import Testing

@testable import Server

/// The tracker's requests read straight off the wire (`EventWireParser`, `EventWireHandler`): the
/// same answers as through the HTTP stack, and every request it does not fully understand left to
/// that stack.
@Suite("events read off the wire")
struct EventWireTests {
    static let agent = ServeEndToEndTests.chrome

    static func request(_ head: String, body: String = "") -> [UInt8] {
        Array((head + "\r\n\r\n").utf8) + Array(body.utf8)
    }

    static func event(_ path: String, extra: String = "") -> [UInt8] {
        let body = String(decoding: ServeEndToEndTests.event(path), as: UTF8.self)
        return request(
            "POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nUser-Agent: \(agent)\r\n"
                + "Content-Length: \(body.utf8.count)\(extra)", body: body)
    }

    static func parse(_ bytes: [UInt8], maxBody: Int = 64 * 1024) -> EventWireParser.Outcome {
        bytes.withUnsafeBytes { EventWireParser.parse($0, maxBody: maxBody) }
    }

    @Test("a browser's event is read with the header values the HTTP stack would give")
    func readsTheTrackersRequest() throws {
        let body = #"{"n":"pageview","u":"https://example.com/","d":"example.com"}"#
        let bytes = Self.request(
            "POST /api/event?v=2 HTTP/1.1\r\nhost: example.com\r\nCONTENT-TYPE:text/plain;charset=UTF-8\r\n"
                + "User-Agent: \(Self.agent)  \r\nX-Forwarded-For: 81.2.69.142\r\nx-forwarded-for: 10.0.0.1\r\n"
                + "Origin: https://example.com\r\nSec-GPC: 1\r\nConnection: keep-alive\r\nContent-Length: \(body.utf8.count)",
            body: body)
        guard case .event(let request, let length) = Self.parse(bytes + Self.event("/next")) else {
            Issue.record("not read as an event")
            return
        }
        #expect(length == bytes.count, "the next pipelined request starts right after this one")
        #expect(request.body == Array(body.utf8))
        #expect(!request.closing)
        var fields = HTTPFields()
        fields[.contentType] = "text/plain;charset=UTF-8"
        fields[.userAgent] = Self.agent
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: "81.2.69.142"))
        fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: "10.0.0.1"))
        fields[.origin] = "https://example.com"
        fields[HTTPField.Name("Sec-GPC")!] = "1"
        #expect(request.headers == EventHeaders(fields))
        #expect(request.headers.forwardedFor == "81.2.69.142, 10.0.0.1")
        #expect(request.headers.privacySignal && request.headers.hasOrigin)
    }

    @Test("a request cut anywhere waits for the rest, and Connection: close is kept")
    func everyCutWaits() {
        let bytes = Self.event("/cut", extra: "\r\nConnection: Keep-Alive, close")
        for cut in 0..<bytes.count {
            #expect(Self.parse(Array(bytes[..<cut])) == .incomplete, "cut at \(cut)")
        }
        guard case .event(let request, bytes.count) = Self.parse(bytes) else {
            Issue.record("the whole request is not read")
            return
        }
        #expect(request.closing)
    }

    @Test(
        "a header name of RFC 9110 token characters is read past; any other byte in it leaves the request to the HTTP stack"
    )
    func headerNames() {
        let symbols = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8(0)...UInt8(255) where byte != UInt8(ascii: ":") {
            let token =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || symbols.contains(byte)
            let head =
                Array("POST /api/event HTTP/1.1\r\nContent-Length: 2\r\nX-".utf8) + [byte]
                + Array("y: visible value long enough for a word\r\n\r\n{}".utf8)
            let outcome = Self.parse(head)
            if token {
                guard case .event = outcome else {
                    Issue.record("a name with byte \(byte) was not read past")
                    continue
                }
            } else {
                #expect(outcome == .other, "a name with byte \(byte)")
            }
        }
    }

    @Test("header values of visible bytes, tabs and UTF-8 are read; a control byte anywhere leaves the request")
    func headerValues() {
        let plain = Array("POST /api/event HTTP/1.1\r\nContent-Length: 2\r\nUser-Agent: ".utf8)
        let text = Array("Mozilla/5.0 (X11; Linux x86_64)\tcafé ~ok~".utf8)
        guard case .event(let request, _) = Self.parse(plain + text + Array("\r\n\r\n{}".utf8)) else {
            Issue.record("a value of visible bytes, a tab and UTF-8 was not read")
            return
        }
        #expect(request.headers.userAgent == String(decoding: text, as: UTF8.self))
        for position in 0..<text.count {
            for control: UInt8 in [0x00, 0x01, 0x1F, 0x7F] {
                var value = text
                value[position] = control
                #expect(
                    Self.parse(plain + value + Array("\r\n\r\n{}".utf8)) == .other, "byte \(control) at \(position)")
            }
        }
    }

    @Test("requests the wire path does not fully understand are left to the HTTP stack")
    func leavesTheRestToTheHTTPStack() {
        let plain = "POST /api/event HTTP/1.1\r\nHost: x\r\nContent-Length: 2"
        let others: [(String, [UInt8])] = [
            ("another path", Self.request("GET /healthz HTTP/1.1\r\nHost: x")),
            ("a longer path", Self.request("POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2", body: "{}")),
            ("HTTP/1.0", Self.request("POST /api/event HTTP/1.0\r\nContent-Length: 2", body: "{}")),
            ("chunked", Self.request(plain + "\r\nTransfer-Encoding: chunked", body: "{}")),
            ("Expect", Self.request(plain + "\r\nExpect: 100-continue", body: "{}")),
            ("Upgrade", Self.request(plain + "\r\nUpgrade: websocket", body: "{}")),
            ("Connection: upgrade", Self.request(plain + "\r\nConnection: upgrade", body: "{}")),
            ("two lengths", Self.request(plain + "\r\nContent-Length: 2", body: "{}")),
            ("a signed length", Self.request("POST /api/event HTTP/1.1\r\nContent-Length: +2", body: "{}")),
            ("a folded line", Self.request(plain + "\r\nUser-Agent: a\r\n b", body: "{}")),
            ("space before the colon", Self.request(plain + "\r\nUser-Agent : a", body: "{}")),
            ("a bare LF", Array((plain + "\nUser-Agent: a\r\n\r\n{}").utf8)),
            ("a bare LF deep in a line", Array((plain + "\r\nUser-Agent: abcdefghijklmnopq\nrs\r\n\r\n{}").utf8)),
            ("a bare CR", Self.request(plain + "\r\nUser-Agent: abcdefghijk\rlmnopqrstuvwxyz", body: "{}")),
            ("a control byte", Self.request(plain + "\r\nUser-Agent: a\u{01}b", body: "{}")),
            ("a body over the limit", Self.request("POST /api/event HTTP/1.1\r\nContent-Length: 70000")),
        ]
        for (name, bytes) in others {
            #expect(Self.parse(bytes) == .other, "\(name)")
        }
        // A head that never ends is left to the HTTP stack's limits too.
        let endless = Array((plain + "\r\nX-Big: " + String(repeating: "a", count: 20_000)).utf8)
        #expect(Self.parse(endless) == .other)
    }

    @Test(
        "a connection moves to the HTTP stack at the first request the wire path leaves, answers stay in order, and every event is stored"
    )
    func handOverKeepsOrder() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data)
        let body = String(decoding: ServeEndToEndTests.event("/chunked"), as: UTF8.self)
        let chunked = Self.request(
            "POST /api/event HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nUser-Agent: \(Self.agent)\r\n"
                + "Transfer-Encoding: chunked",
            body: String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n")
        let connection = try HTTPConnection(port: server.port)
        // One write: read off the wire, then left to the stack, then the stack's own paths.
        try connection.send(
            Self.event("/wire") + chunked + Self.request("GET /healthz HTTP/1.1\r\nHost: x") + Self.event("/after"))
        let answers = try (0..<4).map { _ in try connection.readResponse() }
        #expect(answers.map(\.status) == [202, 202, 200, 202])
        #expect(answers[0].headers["x-infinity-dropped"] == "0" && answers[1].headers["x-infinity-dropped"] == "0")
        #expect(answers[2].body.contains("\"status\":\"ok\""))
        // A chunked event as a connection's first request goes to the stack straight away.
        #expect(try HTTPConnection(port: server.port).sendAndRead(chunked).status == 202)
        #expect(server.stop() == 0, "SIGTERM with connections open: \(server.log)")
        let dump = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        let paths = dump.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["pathname"] as? String
        }
        #expect(paths == ["/wire", "/chunked", "/after", "/chunked"])
    }

    @Test("a connection sending events keeps going past the idle timeout; once silent it is closed")
    func busyConnectionsStayOpen() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--idle-timeout", "2", "--request-timeout", "2"])
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        // Twelve events 0.4 s apart: 4.8 s on one connection, more than twice either timeout.
        for index in 0..<12 {
            let answer = try connection.sendAndRead(Self.event("/busy/\(index)"))
            #expect(answer.status == 202)
            Thread.sleep(forTimeInterval: 0.4)
        }
        #expect(connection.isClosedByPeer(within: 6), "a silent connection is closed after the timeout")
    }

    @Test("a client that sends events without reading the answers is cut off; others are still served")
    func clientsThatDoNotReadAreCutOff() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // Buffered acknowledgement answers at once, so only the client's not reading can hold answers back.
        let server = try ServerProcess(data: data, arguments: ["--ack", "buffered"])
        defer { _ = server.stop() }
        /// Bytes of events sent on `connection`, never reading, until a send fails or waits 10 s.
        func flood(_ connection: HTTPConnection) -> Int {
            connection.limitSendWait(seconds: 10)
            let chunk = Array((0..<500).map { _ in Self.event("/flood") }.joined())
            var sent = 0
            while sent < 256 << 20 {
                do { try connection.send(chunk) } catch { break }
                sent += chunk.count
            }
            return sent
        }
        let sent = flood(try HTTPConnection(port: server.port))
        #expect(sent < 64 << 20, "the server took \(sent >> 20) MB of requests from a client that reads nothing")
        // The same on a connection the HTTP stack took over (its first request was not an event).
        let handedOver = try HTTPConnection(port: server.port)
        #expect(try handedOver.request("GET", "/healthz").status == 200)
        let sentAfterHandOver = flood(handedOver)
        #expect(sentAfterHandOver < 64 << 20, "the HTTP stack's path took \(sentAfterHandOver >> 20) MB")
        let answer = try HTTPConnection(port: server.port).sendAndRead(Self.event("/other"))
        #expect(answer.status == 202)
    }

    @Test("Connection: close and a half-closed client both get their answer before the connection ends")
    func closingClientsGetTheirAnswer() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data)
        let closing = try HTTPConnection(port: server.port)
        let answer = try closing.sendAndRead(Self.event("/close", extra: "\r\nConnection: close"))
        #expect(answer.status == 202 && answer.headers["connection"] == "close")
        #expect(closing.isClosedByPeer(within: 5))
        let halfClosed = try HTTPConnection(port: server.port)
        try halfClosed.send(Self.event("/half"))
        halfClosed.finishSending()
        #expect(try halfClosed.readResponse().status == 202)
        #expect(halfClosed.isClosedByPeer(within: 5))
        #expect(server.stop() == 0)
        let dump = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        #expect(dump.contains("\"/close\"") && dump.contains("\"/half\""))
    }
}

extension HTTPConnection {
    /// Sends raw request bytes and reads one answer.
    func sendAndRead(_ bytes: [UInt8]) throws -> Response {
        try send(bytes)
        return try readResponse()
    }
}
