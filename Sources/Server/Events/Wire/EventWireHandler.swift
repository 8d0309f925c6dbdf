import NIOCore

/// The first handler of every connection: answers the tracker's plain `POST /api/event` requests
/// from the raw bytes (``EventWireParser``), on the event loop, and writes each answer as one
/// prepared buffer. The first request it does not take — any other path, or an event it leaves
/// to the general parser — hands the connection over for good: the HTTP stack is installed
/// behind this handler, gets every byte from that request on, and this handler leaves the
/// pipeline. Answers stay in request order: a connection's next request is read only after the
/// previous answer was written, and the hand-over happens only between answers.
///
/// While it serves a connection, this handler keeps the server's promises that the HTTP stack
/// keeps for the others: a connection that sends nothing for the idle timeout, or does not
/// complete a request within the request deadline of connecting or of its previous answer, is
/// closed; a shutdown (`ChannelShouldQuiesceEvent`) or a client's half-close ends the connection
/// once the answer in flight is written.
final class EventWireHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Reading the next request.
        case reading
        /// An event's answer is pending (its hits are on their way to the journal).
        case answering
        /// The HTTP stack has the connection.
        case handedOver
        case closed
    }

    private let endpoint: EventEndpoint
    /// Installs the HTTP stack behind this handler.
    private let install: (any Channel) -> EventLoopFuture<HTTPStack>
    /// Resolved once: with the HTTP stack at a hand-over, or with nil when the connection ends
    /// without one.
    private let stack: EventLoopPromise<HTTPStack?>
    private var state = State.reading
    private var unread: ByteBuffer?
    private var closeWhenAnswered = false
    private var resolved = false
    private var peer = ""
    private var clock: EventWireClock
    private var timer: Scheduled<Void>?

    /// The HTTP stack's end of a connection.
    typealias HTTPStack = EventChannel.HTTPStack

    init(
        endpoint: EventEndpoint, stack: EventLoopPromise<HTTPStack?>,
        install: @escaping (any Channel) -> EventLoopFuture<HTTPStack>
    ) {
        self.endpoint = endpoint
        self.stack = stack
        self.install = install
        clock = EventWireClock(
            idle: .seconds(endpoint.configuration.idleTimeout), request: .seconds(endpoint.configuration.requestTimeout)
        )
    }

    /// Bytes held behind a pending answer before the connection is closed.
    static let maxHeldBytes = EventFastPath.maxHeldBytes

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        resolve(nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        timer?.cancel()
        timer = nil
        resolve(nil)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        clock.read(at: .now())
        if unread == nil || unread!.readableBytes == 0 {
            unread = bytes
        } else {
            unread!.writeBuffer(&bytes)
        }
        switch state {
        case .reading, .answering:
            // Bytes wait while an answer is pending or the client is not reading its answers; a
            // client that keeps sending meanwhile is cut off, so one connection's memory is bounded.
            if unread!.readableBytes > Self.maxHeldBytes {
                close(context)
            } else {
                serve(context)
            }
        case .handedOver, .closed: break
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if state == .reading, context.channel.isWritable { serve(context) }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let ending = event is ChannelShouldQuiesceEvent || (event as? ChannelEvent) == .inputClosed
        guard ending else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch state {
        case .reading: close(context)
        case .answering: closeWhenAnswered = true
        case .handedOver, .closed: break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context)
    }

    // MARK: Requests

    /// Answers the complete requests read so far, in order, until one waits for the journal or
    /// the client stops reading answers.
    private func serve(_ context: ChannelHandlerContext) {
        while state == .reading, context.channel.isWritable, var buffer = unread, buffer.readableBytes > 0 {
            let outcome = buffer.withUnsafeReadableBytes {
                EventWireParser.parse($0, maxBody: endpoint.configuration.maxBodySize)
            }
            switch outcome {
            case .incomplete:
                arm(context)
                return
            case .other:
                handOver(context)
                return
            case .event(let request, let length):
                buffer.moveReaderIndex(forwardBy: length)
                unread = buffer.readableBytes > 0 ? buffer : nil
                state = .answering
                answer(request, context: context)
            }
        }
    }

    private func answer(_ request: EventWireRequest, context: ChannelHandlerContext) {
        let cors = request.headers.hasOrigin
        let closing = request.closing
        switch endpoint.decide(headers: request.headers, body: request.body, peer: peer) {
        case .reply(let reply):
            write(reply, cors: cors, closing: closing, context: context)
        case .store(let hits):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            endpoint.store(hits) { stored in
                if bound.eventLoop.inEventLoop {
                    // Buffered acknowledgement answers at once; the caller's loop reads on.
                    let (handler, context) = bound.value
                    handler.write(stored.reply, cors: cors, closing: closing, context: context)
                } else {
                    bound.eventLoop.execute {
                        let (handler, context) = bound.value
                        handler.write(stored.reply, cors: cors, closing: closing, context: context)
                        handler.serve(context)
                    }
                }
            }
        }
    }

    private func write(_ reply: EventEndpoint.Reply, cors: Bool, closing: Bool, context: ChannelHandlerContext) {
        guard state == .answering else { return }  // the connection closed meanwhile
        let closing = closing || closeWhenAnswered
        context.writeAndFlush(wrapOutboundOut(reply.wire(cors: cors, closing: closing)), promise: nil)
        if closing {
            close(context)
            return
        }
        state = .reading
        clock.answered(at: .now())
        arm(context)
    }

    // MARK: Hand-over

    /// Gives the connection to the HTTP stack, with every byte not yet answered.
    private func handOver(_ context: ChannelHandlerContext) {
        state = .handedOver
        timer?.cancel()
        timer = nil
        var installed: HTTPStack?
        // The stack is set up on this event loop, so its future is already complete here.
        install(context.channel).assumeIsolated().whenSuccess { installed = $0 }
        guard let installed else {
            close(context)
            return
        }
        resolve(installed)
        if let unread, unread.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(unread))
            context.fireChannelReadComplete()
        }
        unread = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func resolve(_ value: HTTPStack?) {
        guard !resolved else { return }
        resolved = true
        stack.succeed(value)
    }

    // MARK: Deadlines

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil, state == .reading else { return }
        peer = context.channel.remoteAddress?.ipAddress ?? ""
        clock.answered(at: .now())
        arm(context)
    }

    /// Schedules a check at the clock's deadline, unless one is scheduled: a check that comes
    /// early schedules the next, so requests themselves never touch the timer.
    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil, state == .reading else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: clock.closeAt) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard handler.state == .reading else { return }
            if handler.clock.closeAt <= .now() {
                handler.close(context)
            } else {
                handler.arm(context)
            }
        }
    }

    private func close(_ context: ChannelHandlerContext) {
        guard state != .closed, state != .handedOver else { return }
        state = .closed
        timer?.cancel()
        timer = nil
        context.close(promise: nil)
    }
}
