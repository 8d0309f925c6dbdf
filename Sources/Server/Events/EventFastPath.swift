import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `POST /api/event` on the connection's event loop, without a task per request: the
/// body is gathered here, the ingest pipeline runs here, the hits go to the journal writer with a
/// callback, and the answer is written when the writer says they are durable. Every other request
/// passes on to the router. (Under load, the router's task hops cost more than the event itself;
/// see `Docs/benchmarks.md`.)
///
/// Answers leave in request order: an event that arrives while the router still owes an answer
/// is passed on too, and requests pipelined behind an event this handler answers are held until
/// its answer is written (``EventFastPathOrder``).
final class EventFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let endpoint: EventEndpoint
    private var order = EventFastPathOrder()
    private var head: HTTPRequest?
    private var body: [UInt8]?
    private var held: [HTTPRequestPart] = []
    private var heldBytes = 0
    /// A read was asked for while the client was not reading its answers.
    private var readDeferred = false

    /// Pipelined bytes held behind an answer before the connection is closed.
    static let maxHeldBytes = 1 << 20

    init(endpoint: EventEndpoint) { self.endpoint = endpoint }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        handle(unwrapInboundIn(data), context: context)
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch order.inbound(part) {
        case .pass:
            context.fireChannelRead(wrapInboundOut(part))
        case .hold:
            held.append(part)
            heldBytes += Self.size(of: part)
            if heldBytes > Self.maxHeldBytes { context.close(promise: nil) }
        case .take:
            switch part {
            case .head(let request):
                head = request
                body = []
            case .body(let buffer):
                if var bytes = body, bytes.count + buffer.readableBytes <= endpoint.configuration.maxBodySize {
                    body = nil  // one owner while appending
                    bytes.append(contentsOf: buffer.readableBytesView)
                    body = bytes
                } else {
                    body = nil  // over the limit: the rest is read and dropped, then 413
                }
            case .end:
                answer(context: context)
            }
        }
    }

    private func answer(context: ChannelHandlerContext) {
        guard let head else { return }
        let peer = context.channel.remoteAddress?.ipAddress ?? ""
        let closing = head.headerFields[.connection]?.lowercased() == "close"
        let origin = head.headerFields[.origin] != nil
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let finish: @Sendable (EventEndpoint.Stored) -> Void = { stored in
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                handler.write(stored.reply, cors: origin, closing: closing, context: context)
            }
        }
        switch endpoint.decide(head: head, body: body, peer: peer) {
        case .reply(let reply): write(reply, cors: origin, closing: closing, context: context)
        case .store(let hits): endpoint.store(hits, then: finish)
        }
        self.head = nil
        self.body = nil
    }

    private func write(_ reply: EventEndpoint.Reply, cors: Bool, closing: Bool, context: ChannelHandlerContext) {
        var headers = reply.wireHeaders
        if cors { headers[.accessControlAllowOrigin] = "*" }
        if closing { headers[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: reply.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(reply.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if closing {
            context.close(promise: nil)
            return
        }
        order.answered()
        // Requests that waited behind this answer go their way now, in order.
        let waiting = held
        held = []
        heldBytes = 0
        for (index, part) in waiting.enumerated() {
            handle(part, context: context)
            if order.isAnswering {
                // Another event of ours: what is left waits for its answer.
                held = Array(waiting[(index + 1)...]) + held
                heldBytes = held.reduce(0) { $0 + Self.size(of: $1) }
                break
            }
        }
        // The router's side delivers what it was given at the end of a read; this was one.
        if !waiting.isEmpty { context.fireChannelReadComplete() }
    }

    /// Body bytes of a held part (heads and ends count as nothing: the decoder bounds them).
    private static func size(of part: HTTPRequestPart) -> Int {
        if case .body(let buffer) = part { return buffer.readableBytes }
        return 0
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { order.routerAnswered() }
        context.write(data, promise: promise)
    }

    /// Reads nothing more while the client is not reading its answers: events answered here never
    /// reach the router's backpressure, so without this a client that only sends would grow the
    /// outbound buffer without bound.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readDeferred = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if readDeferred, context.channel.isWritable {
            readDeferred = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }
}

/// Which way each part of each request goes, so that answers leave in request order: the parts
/// of an event this handler answers are taken; parts of requests for the router pass on; parts
/// that arrive while an answer of ours is pending are held.
struct EventFastPathOrder {
    private enum State {
        /// Between requests, or passing parts of router requests on.
        case passing
        /// Taking the parts of one of our events.
        case taking
        /// Our event's answer is pending.
        case answering
    }

    private var state = State.passing
    /// Requests passed on to the router whose answers have not been written yet.
    private(set) var routerOwes = 0

    /// Where a part goes.
    enum Route: Equatable {
        case pass, take, hold
    }

    /// Whether an answer of ours is pending.
    var isAnswering: Bool { state == .answering }

    /// Routes an inbound part.
    mutating func inbound(_ part: HTTPRequestPart) -> Route {
        switch state {
        case .answering: return .hold
        case .taking:
            if case .end = part { state = .answering }
            return .take
        case .passing:
            guard case .head(let request) = part else { return .pass }
            if routerOwes == 0, Self.isEvent(request) {
                state = .taking
                return .take
            }
            routerOwes += 1
            return .pass
        }
    }

    /// Our answer was written.
    mutating func answered() {
        if state == .answering { state = .passing }
    }

    /// The router wrote the end of an answer.
    mutating func routerAnswered() {
        routerOwes = max(0, routerOwes - 1)
    }

    /// `POST /api/event` (with or without a query).
    static func isEvent(_ request: HTTPRequest) -> Bool {
        guard request.method == .post, let path = request.path else { return false }
        return path == "/api/event" || path.hasPrefix("/api/event?")
    }
}
