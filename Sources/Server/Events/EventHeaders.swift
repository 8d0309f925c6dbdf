import HTTPTypes

/// The request headers that decide an event's fate: the same values whichever way the request
/// arrived (read straight off the wire by ``EventWireHandler``, or parsed by the HTTP stack).
/// A header sent more than once reads as its values joined with ", ", as `HTTPFields` joins them.
struct EventHeaders: Sendable, Equatable {
    var contentType: String?
    var userAgent: String?
    var forwardedFor: String?
    var forwarded: String?
    var globalPrivacyControl: String?
    var doNotTrack: String?
    /// The request names an `Origin` (a browser's cross-site request): the answer allows it.
    var hasOrigin = false

    init() {}

    /// The values in `fields`.
    init(_ fields: HTTPFields) {
        contentType = fields[.contentType]
        userAgent = fields[.userAgent]
        forwardedFor = fields[EventEndpoint.forwardedFor]
        forwarded = fields[EventEndpoint.forwarded]
        globalPrivacyControl = fields[EventEndpoint.globalPrivacyControl]
        doNotTrack = fields[EventEndpoint.doNotTrack]
        hasOrigin = fields[.origin] != nil
    }

    /// The visitor asked not to be tracked (`Sec-GPC: 1` or `DNT: 1`).
    var privacySignal: Bool { globalPrivacyControl == "1" || doNotTrack == "1" }
}
