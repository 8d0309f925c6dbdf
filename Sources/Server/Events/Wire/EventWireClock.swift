import NIOCore

/// When a connection served by ``EventWireHandler`` is closed if nothing more happens: after the
/// idle timeout without a byte, or at the request deadline after connecting or the previous
/// answer, whichever comes first.
struct EventWireClock {
    let idle: TimeAmount
    let request: TimeAmount
    private var lastRead = NIODeadline.uptimeNanoseconds(0)
    private var requestStart = NIODeadline.uptimeNanoseconds(0)

    init(idle: TimeAmount, request: TimeAmount) {
        self.idle = idle
        self.request = request
    }

    mutating func read(at time: NIODeadline) { lastRead = time }

    /// An answer was written (or the connection opened): the next request's time starts.
    mutating func answered(at time: NIODeadline) { requestStart = time }

    var closeAt: NIODeadline { min(max(lastRead, requestStart) + idle, requestStart + request) }
}
