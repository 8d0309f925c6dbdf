import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection with ``EventFastPath`` placed just before the router: behind
/// Hummingbird's connection-state handler, so that event requests keep a connection from counting
/// as idle and graceful shutdown waits for them like for any other request.
struct EventChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let endpoint: EventEndpoint

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let state = try operations.handler(type: HTTPConnectionStateHandler.self)
            try operations.addHandler(EventFastPath(endpoint: endpoint), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
