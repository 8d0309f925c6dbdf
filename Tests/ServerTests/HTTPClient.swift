import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 client on a raw socket, so tests control every byte (slow clients, idle
/// connections, huge headers) and talk to the real server over loopback.
final class HTTPConnection {
    let fd: Int32
    /// Bytes read past the last response (the start of the next one, when requests are pipelined).
    private var pending: [UInt8] = []

    struct Response {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    struct Closed: Error {}

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw Closed()
        }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw Closed() }
            done += n
        }
    }

    /// Sends one request and reads its response.
    func request(
        _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []
    ) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse()
    }

    func readResponse() throws -> Response {
        var buffer = pending
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() throws {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw Closed() }
            buffer += chunk[0..<n]
        }
        func findHeaderEnd() -> Int? {
            buffer.indices.dropLast(3).first {
                buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10
            }
        }
        var headerEnd = findHeaderEnd()
        while headerEnd == nil {
            try fill()
            headerEnd = findHeaderEnd()
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < headerEnd! + 4 + length { try fill() }
        pending = Array(buffer[(headerEnd! + 4 + length)...])
        return Response(
            status: status, headers: headers,
            body: String(decoding: buffer[(headerEnd! + 4)..<(headerEnd! + 4 + length)], as: UTF8.self))
    }

    /// Makes a send that cannot proceed for `seconds` fail instead of waiting for ever.
    func limitSendWait(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Ends this side's sending (a half-close): the server still answers what it was sent.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Whether the server has closed the connection (reads end of stream within `seconds`).
    func isClosedByPeer(within seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: seconds == 0 ? 10_000 : 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
