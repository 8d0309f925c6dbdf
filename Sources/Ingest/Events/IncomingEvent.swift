/// What one tracker request carries, already decoded from its JSON (or query string): Plausible's
/// event fields. Nothing here is stored as it is; ``IngestPipeline`` turns it into a ``Hit``.
public struct IncomingEvent: Sendable {
    /// `n`/`name`: `pageview` or a custom event name.
    public var name: String
    /// `u`/`url`: the page's absolute URL.
    public var url: String
    /// `d`/`domain`: the site's domain, or several separated by commas.
    public var domain: String
    /// `r`/`referrer`: the document's referrer, if any.
    public var referrer: String?
    /// `p`/`props`: custom properties, in the order sent.
    public var props: [(key: String, value: PropertyValue)]
    /// `$`/`revenue`: amount and currency.
    public var revenue: (amount: PropertyValue, currency: String)?
    /// `h`/`hashMode`: the site routes by URL fragment, so the fragment is part of the page.
    public var hashMode: Bool
    /// `i`/`interactive`: false for events that should not end a bounce.
    public var interactive: Bool
    /// `w`: the screen width in CSS pixels, if sent.
    public var screenWidth: Int?
    /// `g`: the browser says the visitor asked not to be tracked (Global Privacy Control or Do Not
    /// Track, as the tracker reads them).
    public var privacySignal: Bool
    /// `e`: for an engagement report, the milliseconds the page was visible.
    public var engagedMilliseconds: Double?
    /// `sd`: for an engagement report, the deepest scroll in percent.
    public var scrollDepth: Double?

    /// An event; only the name, URL and domain are required.
    public init(
        name: String, url: String, domain: String, referrer: String? = nil,
        props: [(key: String, value: PropertyValue)] = [], revenue: (amount: PropertyValue, currency: String)? = nil,
        hashMode: Bool = false, interactive: Bool = true, screenWidth: Int? = nil, privacySignal: Bool = false
    ) {
        self.privacySignal = privacySignal
        self.name = name
        self.url = url
        self.domain = domain
        self.referrer = referrer
        self.props = props
        self.revenue = revenue
        self.hashMode = hashMode
        self.interactive = interactive
        self.screenWidth = screenWidth
    }
}

/// A JSON value sent as a property or amount.
public enum PropertyValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// A number.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array or object, which properties may not be.
    case structured
}

/// The request around an event: where it came from and when. Used, never stored.
public struct RequestContext: Sendable {
    /// The connection's peer address.
    public var peerAddress: String
    /// The `X-Forwarded-For` header, if any.
    public var forwardedFor: String?
    /// The `Forwarded` header, if any.
    public var forwarded: String?
    /// The `User-Agent` header.
    public var userAgent: String
    /// When the request arrived, ms since epoch UTC.
    public var time: Int64
    /// The request carries `Sec-GPC: 1` or `DNT: 1`: the visitor asked not to be tracked.
    public var privacySignal: Bool

    /// A context.
    public init(
        peerAddress: String, forwardedFor: String? = nil, forwarded: String? = nil, userAgent: String, time: Int64,
        privacySignal: Bool = false
    ) {
        self.privacySignal = privacySignal
        self.peerAddress = peerAddress
        self.forwardedFor = forwardedFor
        self.forwarded = forwarded
        self.userAgent = userAgent
        self.time = time
    }
}
