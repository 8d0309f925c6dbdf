/// Reads the NCSA family of log lines (common, combined, vhost_combined) byte by byte.
enum CommonLogParser {
    static func parse(_ line: ArraySlice<UInt8>, vhost: Bool, extended: Bool, defaultOffset: Int64)
        -> Result<AccessLogRecord, LogLineProblem>
    {
        var cursor = LineCursor(line)
        var host: String?
        if vhost {
            guard let field = cursor.token() else { return .failure(LogLineProblem("no virtual host")) }
            host = Self.stripPort(field)
        }
        guard let clientBytes = cursor.field(), !clientBytes.isEmpty else {
            return .failure(LogLineProblem("no client address"))
        }
        guard clientBytes.allSatisfy({ $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") || isHex($0) }),
            clientBytes.contains(UInt8(ascii: ".")) || clientBytes.contains(UInt8(ascii: ":"))
        else {
            return .failure(
                LogLineProblem("'\(String(decoding: clientBytes.prefix(40), as: UTF8.self))' is not a client address"))
        }
        let client = String(decoding: clientBytes, as: UTF8.self)
        guard cursor.field() != nil, cursor.field() != nil else { return .failure(LogLineProblem("too few fields")) }
        guard let stamp = cursor.bracketed() else { return .failure(LogLineProblem("no [time]")) }
        guard let time = Self.time(stamp, defaultOffset: defaultOffset) else {
            return .failure(LogLineProblem("'[\(String(decoding: stamp, as: UTF8.self))]' is not a log time"))
        }
        guard let request = cursor.quoted() else { return .failure(LogLineProblem("no \"request\"")) }
        guard let statusField = cursor.field(), let status = Self.number(statusField), (100...999).contains(status)
        else {
            return .failure(LogLineProblem("no status"))
        }
        guard let sizeField = cursor.field() else { return .failure(LogLineProblem("no size")) }
        let bytes = Self.number(sizeField)
        guard bytes != nil || sizeField.elementsEqual([UInt8(ascii: "-")]) else {
            return .failure(LogLineProblem("'\(String(decoding: sizeField.prefix(40), as: UTF8.self))' is not a size"))
        }
        var referrer: String?
        var userAgent: String?
        if extended {
            guard let referer = cursor.quoted() else { return .failure(LogLineProblem("no \"referrer\"")) }
            guard let agent = cursor.quoted() else { return .failure(LogLineProblem("no \"user agent\" (cut off?)")) }
            let refererText = Self.unescape(referer)
            referrer = refererText == "-" || refererText.isEmpty ? nil : refererText
            let agentText = Self.unescape(agent)
            userAgent = agentText == "-" ? nil : agentText
        } else if !cursor.atEnd && !vhost {
            return .failure(LogLineProblem("more fields than the common format has"))
        }
        // "GET /path HTTP/1.1"; a request line that is not one ("-", binary junk) keeps an empty method.
        var method = ""
        var target = ""
        let words = request.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: true)
        if words.count >= 2, words.count <= 3, words[0].allSatisfy({ (65...90).contains($0) }) {
            method = String(decoding: words[0], as: UTF8.self)
            target = Self.unescape(words[1])
        }
        return .success(
            AccessLogRecord(
                client: client, time: time, method: method, target: target, status: status, bytes: bytes,
                referrer: referrer, userAgent: userAgent, host: host))
    }

    /// A non-negative decimal number, or nil.
    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    static func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }

    /// `example.com:443` → `example.com`; `[::1]:80` → `::1`.
    static func stripPort(_ field: String) -> String {
        if field.hasPrefix("["), let close = field.firstIndex(of: "]") {
            return String(field[field.index(after: field.startIndex)..<close])
        }
        if field.filter({ $0 == ":" }).count == 1, let colon = field.firstIndex(of: ":") {
            return String(field[..<colon])
        }
        return field
    }

    /// `\"` and `\\` as Apache writes them.
    static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes {
            if escaped {
                out.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let months: [String: Int64] = [
        "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10,
        "Nov": 11, "Dec": 12,
    ]

    /// `17/May/2015:10:05:03 +0000` → ms UTC.
    static func time(_ stamp: ArraySlice<UInt8>, defaultOffset: Int64) -> Int64? {
        let text = Array(stamp)
        guard text.count >= 20, text[2] == UInt8(ascii: "/"), text[6] == UInt8(ascii: "/"),
            text[11] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard index < text.count, (48...57).contains(text[index]) else { return nil }
                value = value * 10 + Int64(text[index] - 48)
            }
            return value
        }
        guard let day = number(0..<2), let year = number(7..<11), let hour = number(12..<14),
            let minute = number(15..<17), let second = number(18..<20),
            let month = months[String(decoding: text[3..<6], as: UTF8.self)]
        else { return nil }
        var offset = defaultOffset
        if text.count >= 26, text[20] == UInt8(ascii: " "), let zone = number(22..<26) {
            let sign: Int64 = text[21] == UInt8(ascii: "-") ? -1 : 1
            offset = sign * ((zone / 100) * 3600 + (zone % 100) * 60) * 1000
        }
        guard let days = civilDays(year: year, month: month, day: day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 - offset
    }

    /// Days since 1970-01-01 of a civil date (proleptic Gregorian), or nil for an impossible date.
    static func civilDays(year: Int64, month: Int64, day: Int64) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Walks the fields of one log line.
struct LineCursor {
    let bytes: ArraySlice<UInt8>
    var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var atEnd: Bool {
        var probe = index
        while probe < bytes.endIndex && bytes[probe] == UInt8(ascii: " ") { probe += 1 }
        return probe == bytes.endIndex
    }

    private mutating func skipSpaces() {
        while index < bytes.endIndex && bytes[index] == UInt8(ascii: " ") { index += 1 }
    }

    /// The next space-separated field's bytes.
    mutating func field() -> ArraySlice<UInt8>? {
        skipSpaces()
        guard index < bytes.endIndex else { return nil }
        let start = index
        while index < bytes.endIndex && bytes[index] != UInt8(ascii: " ") { index += 1 }
        return bytes[start..<index]
    }

    /// The next space-separated token.
    mutating func token() -> String? {
        skipSpaces()
        guard index < bytes.endIndex else { return nil }
        let start = index
        while index < bytes.endIndex && bytes[index] != UInt8(ascii: " ") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// The contents of the next `[...]`.
    mutating func bracketed() -> ArraySlice<UInt8>? {
        skipSpaces()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") else { return nil }
        let start = index + 1
        guard let close = bytes[start...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
        index = close + 1
        return bytes[start..<close]
    }

    /// The raw contents of the next `"..."` (escapes kept), allowing `\"` inside.
    mutating func quoted() -> ArraySlice<UInt8>? {
        skipSpaces()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var probe = start
        while probe < bytes.endIndex {
            if bytes[probe] == UInt8(ascii: "\\") {
                probe += 2
                continue
            }
            if bytes[probe] == UInt8(ascii: "\"") {
                index = probe + 1
                return bytes[start..<probe]
            }
            probe += 1
        }
        return nil
    }
}
