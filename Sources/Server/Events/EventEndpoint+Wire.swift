import HTTPTypes
import NIOCore

extension EventEndpoint.Reply {
    /// The answer as bytes for a request that did (`cors`) or did not name an origin, on a
    /// connection that stays open or (`closing`) is closed after it.
    func wire(cors: Bool, closing: Bool) -> ByteBuffer {
        if !closing { return cors ? encodedForBrowsers : encoded }
        var headers = wireHeaders
        if cors { headers[.accessControlAllowOrigin] = "*" }
        headers[.connection] = "close"
        return Self.encode(status: status, headers: headers, body: body)
    }

    /// An HTTP/1.1 response: status line, header lines, blank line, body.
    static func encode(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for field in headers {
            buffer.writeString(field.name.rawName)
            buffer.writeString(": ")
            buffer.writeString(field.value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\n")
        buffer.writeImmutableBuffer(body)
        return buffer
    }
}
