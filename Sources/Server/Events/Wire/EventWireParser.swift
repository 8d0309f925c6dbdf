import Foundation

/// Reads a plain `POST /api/event` request straight off a connection's bytes, so that the tracker's
/// requests skip the general HTTP stack (its parser callbacks, header conversions and seven
/// handlers each way cost more than the event itself; see `Docs/architecture.md`).
///
/// It takes only requests it fully understands: HTTP/1.1, `POST /api/event` (with or without a
/// query), a `Content-Length` body within the limit, no `Transfer-Encoding`, `Expect` or
/// `Upgrade`, CRLF line ends, and header lines without folding, odd bytes or space before the
/// colon. Anything else is ``Outcome/other``: the connection's bytes go to the HTTP stack from that
/// request on, which answers them as it answers any request (a 400, 413 or 431 included), so that
/// nothing is parsed two ways.
enum EventWireParser {
    /// What the start of a connection's unread bytes holds.
    enum Outcome: Equatable {
        /// Possibly an event request, not complete yet.
        case incomplete
        /// An event request of `length` bytes.
        case event(EventWireRequest, length: Int)
        /// Some other request, or one to leave to the HTTP stack.
        case other
    }

    /// Head bytes read before giving the request to the HTTP stack (whose limits then apply).
    static let maxHeadBytes = 16 * 1024
    /// Header lines read before giving the request to the HTTP stack.
    static let maxHeaderLines = 64

    private static let start = Array("POST /api/event".utf8)
    private static let version = Array(" HTTP/1.1\r\n".utf8)

    /// Parses the request at the start of `bytes`, whose body may hold at most `maxBody` bytes.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxBody: Int) -> Outcome {
        // The request line: "POST /api/event[?query] HTTP/1.1".
        let known = min(bytes.count, start.count)
        for index in 0..<known where bytes[index] != start[index] { return .other }
        guard bytes.count > start.count else { return .incomplete }
        var index = start.count
        if bytes[index] == UInt8(ascii: "?") {
            while index < bytes.count, isTargetByte(bytes[index]) { index += 1 }
            guard index < bytes.count else { return bytes.count < maxHeadBytes ? .incomplete : .other }
        }
        for expected in version {
            guard index < bytes.count else { return .incomplete }
            guard bytes[index] == expected else { return .other }
            index += 1
        }
        // Header lines up to the blank line.
        var request = EventWireRequest()
        var contentLength: Int?
        var lines = 0
        while true {
            guard let end = lineEnd(bytes, from: index) else {
                return bytes.count < maxHeadBytes ? .incomplete : .other
            }
            guard end < maxHeadBytes, bytes[end] == 0x0D, bytes[end + 1] == 0x0A else { return .other }
            if end == index {  // the blank line
                index = end + 2
                break
            }
            lines += 1
            guard lines <= maxHeaderLines else { return .other }
            guard let (name, value) = headerLine(bytes, from: index, to: end) else { return .other }
            index = end + 2
            switch Header(name: UnsafeRawBufferPointer(rebasing: bytes[name])) {
            case .contentLength:
                guard contentLength == nil, let length = decimal(UnsafeRawBufferPointer(rebasing: bytes[value])) else {
                    return .other
                }
                contentLength = length
            case .refused: return .other
            case .connection:
                guard let closing = connectionCloses(UnsafeRawBufferPointer(rebasing: bytes[value])) else {
                    return .other
                }
                request.closing = request.closing || closing
            case .contentType: join(&request.headers.contentType, bytes, value)
            case .userAgent: join(&request.headers.userAgent, bytes, value)
            case .forwardedFor: join(&request.headers.forwardedFor, bytes, value)
            case .forwarded: join(&request.headers.forwarded, bytes, value)
            case .globalPrivacyControl: join(&request.headers.globalPrivacyControl, bytes, value)
            case .doNotTrack: join(&request.headers.doNotTrack, bytes, value)
            case .origin: request.headers.hasOrigin = true
            case .ignored: break
            }
        }
        let length = contentLength ?? 0
        guard length <= maxBody else { return .other }  // the HTTP stack reads it away and answers 413
        guard bytes.count - index >= length else { return .incomplete }
        request.body = Array(bytes[index..<(index + length)])
        return .event(request, length: index + length)
    }

    /// The headers this parser looks at.
    private enum Header {
        case contentLength, connection, contentType, userAgent, forwardedFor, forwarded, globalPrivacyControl
        case doNotTrack, origin
        /// Headers that change how the request is framed or answered: left to the HTTP stack.
        case refused
        case ignored

        init(name: UnsafeRawBufferPointer) {
            func named(_ lowercase: StaticString) -> Bool {
                guard name.count == lowercase.utf8CodeUnitCount else { return false }
                let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
                for index in 0..<name.count where name[index] | 0x20 != expected[index] { return false }
                return true
            }
            // Token characters other than letters ("-") survive `| 0x20` unchanged.
            switch name.count {
            case 3: self = named("dnt") ? .doNotTrack : .ignored
            case 6: self = named("origin") ? .origin : (named("expect") ? .refused : .ignored)
            case 7: self = named("sec-gpc") ? .globalPrivacyControl : (named("upgrade") ? .refused : .ignored)
            case 9: self = named("forwarded") ? .forwarded : .ignored
            case 10:
                self = named("user-agent") ? .userAgent : (named("connection") ? .connection : .ignored)
            case 12: self = named("content-type") ? .contentType : .ignored
            case 14: self = named("content-length") ? .contentLength : .ignored
            case 15: self = named("x-forwarded-for") ? .forwardedFor : .ignored
            case 17: self = named("transfer-encoding") ? .refused : .ignored
            default: self = .ignored
            }
        }
    }

    /// The index of the CR of the first CRLF at or after `from`; nil when there is none yet.
    /// A bare LF, or a CR with a byte after it, also ends the search (the caller checks for CRLF
    /// and leaves anything else to the HTTP stack); a CR is returned only with a byte after it.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var index = from
        // Eight bytes at a time past those that are neither CR nor LF (a header line is most of
        // a request's bytes), then byte by byte from the word that holds one.
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if holds(word, 0x0D) || holds(word, 0x0A) { break }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                guard index + 1 < bytes.count else { return nil }
                return index
            }
            if byte == 0x0A { return index }
            index += 1
        }
        return nil
    }

    /// Whether any of the eight bytes of `word` is `byte` (a byte of `word ^ pattern` is zero
    /// exactly where `byte` is, and the subtraction sets the top bit of the lowest such byte).
    @inline(__always)
    private static func holds(_ word: UInt64, _ byte: UInt8) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & 0x8080_8080_8080_8080 != 0
    }

    /// Whether each of the eight bytes of `word` is 0x20 to 0x7E: none below 0x20 (subtracting
    /// 0x20 from such a byte sets its top bit) and none above 0x7E (adding 1 carries into the top
    /// bit, which bytes of 0x80 and up have already).
    @inline(__always)
    private static func isVisibleASCII(_ word: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- 0x2020_2020_2020_2020) & ~word & high
        let above = ((word & ~high) &+ 0x0101_0101_0101_0101 | word) & high
        return below | above == 0
    }

    /// The name and the trimmed value of the header line `from..<to`; nil when the line is not
    /// a plain `name: value` line.
    private static func headerLine(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> (Range<Int>, Range<Int>)? {
        var colon = from
        while colon < to, isTokenByte(bytes[colon]) { colon += 1 }
        guard colon > from, colon < to, bytes[colon] == UInt8(ascii: ":") else { return nil }
        var start = colon + 1
        var end = to
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        var index = start
        // Eight visible ASCII bytes at a time (nearly every value is only those), then byte by byte.
        while index + 8 <= end, isVisibleASCII(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
            index += 8
        }
        while index < end {
            let byte = bytes[index]
            guard byte == 0x09 || (byte >= 0x20 && byte != 0x7F) else { return nil }
            index += 1
        }
        return (from..<colon, start..<end)
    }

    /// `Connection`'s tokens: whether they ask to close; nil when they ask for anything but
    /// `close` and `keep-alive` (an upgrade, say).
    private static func connectionCloses(_ value: UnsafeRawBufferPointer) -> Bool? {
        var closes = false
        for token in String(decoding: value, as: UTF8.self).lowercased().split(separator: ",") {
            switch token.trimmingCharacters(in: [" ", "\t"]) {
            case "close": closes = true
            case "keep-alive": break
            default: return nil
            }
        }
        return closes
    }

    /// A `Content-Length` of up to nine digits.
    private static func decimal(_ digits: UnsafeRawBufferPointer) -> Int? {
        guard (1...9).contains(digits.count) else { return nil }
        var value = 0
        for digit in digits {
            guard (0x30...0x39).contains(digit) else { return nil }
            value = value * 10 + Int(digit - 0x30)
        }
        return value
    }

    /// Adds a header's value, joined to an earlier one with ", " as `HTTPFields` reads them.
    private static func join(_ field: inout String?, _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        if let earlier = field { field = earlier + ", " + value } else { field = value }
    }

    /// RFC 9110 `tchar` (letters, digits and `` -_.!#$%&'*+^`|~ ``): a bit for each of the bytes
    /// 0–63 and 64–127, looked up with a shift rather than a chain of comparisons.
    @inline(__always)
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x03FF_6CFA_0000_0000
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        return byte < 64 ? (low >> UInt64(byte)) & 1 == 1 : byte < 128 && (high >> UInt64(byte - 64)) & 1 == 1
    }

    /// Visible ASCII, as a request target holds.
    private static func isTargetByte(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
}
