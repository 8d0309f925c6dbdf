import NIOCore

/// One SMTP reply: its code and its text lines (`250-PIPELINING`, `250 SMTPUTF8` → 250, both texts).
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
}

/// Turns the server's lines into replies (a reply ends at the line whose code is followed by a
/// space) and hands each to the next waiting promise, or keeps it until one asks.
///
/// `@unchecked Sendable`: every stored property is read and changed on the channel's event loop
/// only (NIO calls the handler there, and ``expect(_:)`` hops there first), so the reference may be
/// held by the task that drives the conversation.
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private var lines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiting: [EventLoopPromise<SMTPReply>] = []
    private var failure: (any Error)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let line = buffer.readString(length: buffer.readableBytes) ?? ""
        let text = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard text.count >= 3, let code = Int(text.prefix(3)) else {
            fail(with: ServerError("the mail server answered '\(text.prefix(80))', which is not SMTP", code: "smtp"))
            return
        }
        lines.append(String(text.dropFirst(4)))
        guard text.count == 3 || text[text.index(text.startIndex, offsetBy: 3)] == " " else { return }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        if waiting.isEmpty { ready.append(reply) } else { waiting.removeFirst().succeed(reply) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(with: ServerError("the mail server closed the connection", code: "smtp"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(with: error)
        context.close(promise: nil)
    }

    /// Completes `promise` with the next reply (on the event loop).
    func expect(_ promise: EventLoopPromise<SMTPReply>) {
        promise.futureResult.eventLoop.execute {
            if !self.ready.isEmpty {
                promise.succeed(self.ready.removeFirst())
            } else if let failure = self.failure {
                promise.fail(failure)
            } else {
                self.waiting.append(promise)
            }
        }
    }

    private func fail(with error: any Error) {
        failure = failure ?? error
        for promise in waiting { promise.fail(error) }
        waiting = []
    }
}
