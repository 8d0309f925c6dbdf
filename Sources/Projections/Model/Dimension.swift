import Journal

/// A dimension that rollups break numbers down by.
///
/// *Session* dimensions take their value from the visit: its entry page, its exit page, or the
/// first hit of the visit (where the visitor came from, with what device). *Hit* dimensions take
/// the value of each hit (the page it was on, the event's name, its properties). See
/// `Docs/projections.md` for how every metric is counted.
public enum Dimension: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// The page (path) of each hit.
    case page = 0
    /// The first page of the visit.
    case entryPage
    /// The last page of the visit.
    case exitPage
    /// The host name of each hit.
    case hostname
    /// The visit's classified source.
    case source
    /// The visit's referrer (host + path).
    case referrer
    /// The visit's channel.
    case channel
    /// The visit's `utm_source`.
    case utmSource
    /// The visit's `utm_medium`.
    case utmMedium
    /// The visit's `utm_campaign`.
    case utmCampaign
    /// The visit's `utm_content`.
    case utmContent
    /// The visit's `utm_term`.
    case utmTerm
    /// The visit's country.
    case country
    /// The visit's browser family.
    case browser
    /// The visit's browser family and version (`Chrome 131`).
    case browserVersion
    /// The visit's operating system.
    case os
    /// The visit's operating system and version (`Windows 11`).
    case osVersion
    /// The visit's device class.
    case device
    /// The visit's screen class.
    case screen
    /// The name of each custom event (a goal); page views have none.
    case goal
    /// The key of each custom property.
    case propertyKey
    /// Each custom property as `key=value`.
    case property
    /// The currency of each hit that carries revenue.
    case currency

    /// Whether the value comes from the visit rather than from each hit.
    public var isSessionLevel: Bool {
        switch self {
        case .page, .hostname, .goal, .propertyKey, .property, .currency: false
        default: true
        }
    }

    /// The name used in queries and the API (`entry_page`, `utm_source`, …).
    public var description: String {
        switch self {
        case .page: "page"
        case .entryPage: "entry_page"
        case .exitPage: "exit_page"
        case .hostname: "hostname"
        case .source: "source"
        case .referrer: "referrer"
        case .channel: "channel"
        case .utmSource: "utm_source"
        case .utmMedium: "utm_medium"
        case .utmCampaign: "utm_campaign"
        case .utmContent: "utm_content"
        case .utmTerm: "utm_term"
        case .country: "country"
        case .browser: "browser"
        case .browserVersion: "browser_version"
        case .os: "os"
        case .osVersion: "os_version"
        case .device: "device"
        case .screen: "screen"
        case .goal: "goal"
        case .propertyKey: "prop_key"
        case .property: "prop"
        case .currency: "currency"
        }
    }

    /// The dimension with the API name `name`.
    public init?(name: String) {
        guard let found = Dimension.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }

    /// The separator between key and value in ``property`` keys.
    public static let propertySeparator: Character = "="
}
