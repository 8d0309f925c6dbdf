import Hummingbird
import NIOCore

/// The request context of `infinity serve`: Hummingbird's core context plus the peer's address,
/// which the ingest pipeline needs for the country and the visitor hash (and then forgets).
public struct IngestRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer.
    public let remoteAddress: SocketAddress?

    /// A context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
