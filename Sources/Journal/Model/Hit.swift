/// One anonymized hit, as stored in the journal.
///
/// A hit is what is left of a visitor's request after anonymization at the edge: no IP address,
/// no raw user agent and no cookie ever reach a `Hit`. The visitor is a 48-bit keyed hash that
/// changes every day (see `Docs/privacy.md`).
public struct Hit: Sendable, Hashable {
    /// The event name of an ordinary page view.
    public static let pageview = "pageview"
    /// The event name of an engagement report: the tracker sends one when a page is left or
    /// hidden, with the seconds it was visible (property ``engagedProperty``) and its deepest
    /// scroll in percent (``scrollProperty``). Not a page view and not a custom event: the fold
    /// counts it only into time on page and scroll depth (Docs/projections.md).
    public static let engagement = "engagement"
    /// The property of an engagement report holding the seconds the page was visible.
    public static let engagedProperty = "engaged"
    /// The property of an engagement report holding the deepest scroll, 0–100 %.
    public static let scrollProperty = "scroll"

    /// When the hit happened, in milliseconds since 1970-01-01 UTC.
    public var timestamp: Int64
    /// The registered site (its domain, e.g. `example.com`).
    public var site: String
    /// `pageview` or the name of a custom event (e.g. `Signup`).
    public var name: String
    /// The page's host name, without `www.`.
    public var hostname: String
    /// The page's path, normalised (no query string, no fragment unless hash routing is on).
    public var pathname: String
    /// The referrer reduced to host + path, or empty for none.
    public var referrer: String
    /// The classified source (e.g. `Google`, `Hacker News`), or empty for direct traffic.
    public var source: String
    /// The marketing channel derived from source and UTM parameters.
    public var channel: Channel
    /// The UTM parameters of the landing URL.
    public var utm: UTM
    /// ISO 3166-1 alpha-2 country code, or empty when unknown.
    public var country: String
    /// Browser family (e.g. `Chrome`), or empty when unknown.
    public var browser: String
    /// Browser major version (e.g. `131`), or empty.
    public var browserVersion: String
    /// Operating system family (e.g. `Windows`), or empty when unknown.
    public var os: String
    /// Operating system version (e.g. `11`, `17.4`), or empty.
    public var osVersion: String
    /// Device class derived from the user agent.
    public var device: DeviceClass
    /// Screen class derived from the reported screen width.
    public var screen: ScreenClass
    /// The visitor's daily id: a keyed hash with a salt that rotates every site-local day, cut to
    /// its low ``visitorIDBits`` bits (a wider value given to ``init`` is cut there, and readers
    /// cut the ids of journals written before).
    public var visitorID: UInt64
    /// Custom event properties, in the order they were sent.
    public var props: [Property]
    /// Revenue attached to the event, if any.
    public var revenue: Revenue?
    /// Flags: non-interactive events, imported history.
    public var flags: HitFlags

    /// How many bits of a visitor id are kept. Two visitors of one site and day share an id with
    /// odds of about n² / 2⁴⁹ for n visitors that day (2·10⁻³ for a million), and the journal
    /// stores 6 bytes per visitor instead of 8 (`Docs/privacy.md`).
    public static let visitorIDBits = 48
    /// The bits of a visitor id that are kept.
    public static let visitorIDMask: UInt64 = (1 << visitorIDBits) - 1

    /// Creates a hit; every field but the timestamp, site and visitor has an empty default; the
    /// visitor id is cut to ``visitorIDBits`` bits.
    public init(
        timestamp: Int64, site: String, name: String = Hit.pageview, hostname: String = "", pathname: String = "/",
        referrer: String = "", source: String = "", channel: Channel = .direct, utm: UTM = UTM(),
        country: String = "", browser: String = "", browserVersion: String = "", os: String = "",
        osVersion: String = "", device: DeviceClass = .unknown, screen: ScreenClass = .unknown,
        visitorID: UInt64, props: [Property] = [], revenue: Revenue? = nil, flags: HitFlags = []
    ) {
        self.timestamp = timestamp
        self.site = site
        self.name = name
        self.hostname = hostname
        self.pathname = pathname
        self.referrer = referrer
        self.source = source
        self.channel = channel
        self.utm = utm
        self.country = country
        self.browser = browser
        self.browserVersion = browserVersion
        self.os = os
        self.osVersion = osVersion
        self.device = device
        self.screen = screen
        self.visitorID = visitorID & Hit.visitorIDMask
        self.props = props
        self.revenue = revenue
        self.flags = flags
    }

    /// Whether this hit is a page view (as opposed to a custom event).
    public var isPageview: Bool { name == Hit.pageview }
}

/// The five UTM parameters of a landing URL.
public struct UTM: Sendable, Hashable {
    /// `utm_source`.
    public var source: String
    /// `utm_medium`.
    public var medium: String
    /// `utm_campaign`.
    public var campaign: String
    /// `utm_content`.
    public var content: String
    /// `utm_term`.
    public var term: String

    /// Creates a set of UTM parameters; empty means absent.
    public init(
        source: String = "", medium: String = "", campaign: String = "", content: String = "", term: String = ""
    ) {
        self.source = source
        self.medium = medium
        self.campaign = campaign
        self.content = content
        self.term = term
    }
}

/// One custom property of an event.
public struct Property: Sendable, Hashable {
    /// The property's key (at most 300 characters).
    public var key: String
    /// The property's value (at most 2,000 characters).
    public var value: String

    /// Creates a property.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// Revenue attached to an event.
public struct Revenue: Sendable, Hashable {
    /// The amount in the currency's minor unit (cents for USD).
    public var amount: Int64
    /// ISO 4217 currency code, e.g. `EUR`.
    public var currency: String

    /// Creates a revenue amount.
    public init(amount: Int64, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}

/// Per-hit flags.
public struct HitFlags: OptionSet, Sendable, Hashable {
    /// The flags' bits.
    public let rawValue: UInt8
    /// Creates flags from their bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A custom event sent with `interactive: false`: it does not stop a visit from being a bounce.
    public static let nonInteractive = HitFlags(rawValue: 1 << 0)
    /// A hit imported from history (e.g. an access log) rather than sent live.
    public static let imported = HitFlags(rawValue: 1 << 1)

    /// The highest bit pattern this format version defines.
    static let known: UInt8 = 0b11
}
