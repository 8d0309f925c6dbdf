import Foundation

/// Reads JSON access-log lines (Caddy's, and nginx's with a JSON `log_format`).
enum JSONLogParser {
    static func object(_ line: ArraySlice<UInt8>) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
    }

    static func parseCaddy(_ line: ArraySlice<UInt8>) -> Result<AccessLogRecord, LogLineProblem> {
        guard let object = object(line) else { return .failure(LogLineProblem("not a JSON object (cut off?)")) }
        guard let request = object["request"] as? [String: Any] else {
            return .failure(LogLineProblem("no \"request\" object (not a Caddy access log line)"))
        }
        guard let ts = object["ts"] as? Double else { return .failure(LogLineProblem("no \"ts\"")) }
        guard let client = (request["client_ip"] as? String) ?? (request["remote_ip"] as? String) else {
            return .failure(LogLineProblem("no \"client_ip\" or \"remote_ip\""))
        }
        guard let status = object["status"] as? Int else { return .failure(LogLineProblem("no \"status\"")) }
        let headers = request["headers"] as? [String: Any] ?? [:]
        func header(_ name: String) -> String? {
            let value = headers.first { $0.key.lowercased() == name }?.value
            return (value as? [String])?.first ?? value as? String
        }
        let host = (request["host"] as? String).map(CommonLogParser.stripPort)
        return .success(
            AccessLogRecord(
                client: client, time: Int64((ts * 1000).rounded(.down)), method: request["method"] as? String ?? "",
                target: request["uri"] as? String ?? "", status: status, bytes: object["size"] as? Int,
                referrer: header("referer").flatMap { $0.isEmpty ? nil : $0 }, userAgent: header("user-agent"),
                host: host))
    }

    static func parseNginx(_ line: ArraySlice<UInt8>, defaultOffset: Int64) -> Result<AccessLogRecord, LogLineProblem> {
        guard let object = object(line) else { return .failure(LogLineProblem("not a JSON object (cut off?)")) }
        func text(_ key: String) -> String? {
            switch object[key] {
            case let value as String: value
            case let value as Int: String(value)
            default: nil
            }
        }
        guard let client = text("remote_addr") else { return .failure(LogLineProblem("no \"remote_addr\"")) }
        let time: Int64?
        if let iso = text("time_iso8601") {
            time = iso8601(iso)
        } else if let local = text("time_local") {
            time = CommonLogParser.time(ArraySlice(Array(local.utf8)), defaultOffset: defaultOffset)
        } else {
            time = nil
        }
        guard let time else { return .failure(LogLineProblem("no readable \"time_iso8601\" or \"time_local\"")) }
        guard let statusText = text("status"), let status = Int(statusText) else {
            return .failure(LogLineProblem("no \"status\""))
        }
        var method = text("request_method") ?? ""
        var target = text("request_uri") ?? ""
        if let request = text("request") {
            let parts = request.split(separator: " ")
            if parts.count >= 2 {
                method = String(parts[0])
                target = String(parts[1])
            }
        }
        func header(_ key: String) -> String? { text(key).flatMap { $0 == "-" || $0.isEmpty ? nil : $0 } }
        return .success(
            AccessLogRecord(
                client: client, time: time, method: method, target: target, status: status,
                bytes: text("body_bytes_sent").flatMap { Int($0) }, referrer: header("http_referer"),
                userAgent: text("http_user_agent").flatMap { $0 == "-" ? nil : $0 },
                host: text("host").map(CommonLogParser.stripPort)))
    }

    /// `2015-05-17T10:05:03+00:00` (or `Z`) → ms UTC.
    static func iso8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int64(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let days = CommonLogParser.civilDays(year: year, month: month, day: day)
        else { return nil }
        var rest = bytes[19...]
        var millis: Int64 = 0
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            var digits = 0
            while let byte = rest.first, (48...57).contains(byte) {
                if digits < 3 { millis = millis * 10 + Int64(byte - 48) }
                digits += 1
                rest = rest.dropFirst()
            }
            for _ in digits..<3 where digits < 3 { millis *= 10 }
        }
        var offset: Int64 = 0
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let zone = Array(rest.dropFirst()).filter { $0 != UInt8(ascii: ":") }
            guard zone.count == 4, zone.allSatisfy({ (48...57).contains($0) }) else { return nil }
            let value = zone.reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
            offset = (sign == UInt8(ascii: "-") ? -1 : 1) * ((value / 100) * 3600 + (value % 100) * 60) * 1000
        }
        return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + millis - offset
    }
}
