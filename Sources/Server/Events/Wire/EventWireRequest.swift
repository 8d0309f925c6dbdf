/// An event request read off the wire.
struct EventWireRequest: Equatable {
    var headers = EventHeaders()
    /// The request says `Connection: close`.
    var closing = false
    var body: [UInt8] = []
}
