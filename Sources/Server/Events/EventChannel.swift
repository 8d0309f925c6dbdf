import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection behind ``EventWireHandler``: a connection starts with only
/// that handler, which answers the tracker's events from the raw bytes; the first other request
/// installs Hummingbird's HTTP stack (with ``EventFastPath`` just before the router, for events
/// that arrive on such a connection) and hands it every byte from there on.
struct EventChannel: ServerChildChannel {
    /// The HTTP stack's end of a connection.
    typealias HTTPStack = HTTP1Channel.Value

    /// A connection: its HTTP stack once the connection was handed over to it.
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        /// Completes with the stack at a hand-over, or with nil when the connection ended
        /// without one.
        let stack: EventLoopFuture<HTTPStack?>
    }

    let http1: HTTP1Channel
    let endpoint: EventEndpoint
    /// The connections open at once; one over it is closed as it arrives.
    let connections: ConnectionLimit
    /// Says, at most once a minute, that connections were closed for the limit.
    let limitLog: ConnectionLimitLog

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard connections.admit() else {
            limitLog.refused(limit: connections.maximum)
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededFuture(
                Value(channel: channel, stack: channel.eventLoop.makeSucceededFuture(nil)))
        }
        channel.closeFuture.whenComplete { [connections] _ in connections.release() }
        // Each connection is one more appender that may wait for the journal at once.
        if let appenders = endpoint.writer.configuration.appenders {
            appenders.opened()
            channel.closeFuture.whenComplete { _ in appenders.closed() }
        }
        return channel.eventLoop.makeCompletedFuture {
            let stack = channel.eventLoop.makePromise(of: HTTPStack?.self)
            let wire = EventWireHandler(endpoint: endpoint, stack: stack) { channel in
                installStack(on: channel, logger: logger)
            }
            try channel.pipeline.syncOperations.addHandler(wire)
            return Value(channel: channel, stack: stack.futureResult)
        }
    }

    /// Hummingbird's HTTP/1 handlers, with ``EventFastPath`` behind its connection-state handler
    /// (so that event requests on such a connection keep it from counting as idle, and graceful
    /// shutdown waits for them like for any other request).
    private func installStack(on channel: any Channel, logger: Logger) -> EventLoopFuture<HTTPStack> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let state = try operations.handler(type: HTTPConnectionStateHandler.self)
            try operations.addHandler(EventFastPath(endpoint: endpoint), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard let stack = try? await value.stack.get() else { return }
        await http1.handle(value: stack, logger: logger)
    }
}
