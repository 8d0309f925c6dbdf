import Journal

/// The key spaces of a fold: each dimension's values get ids in one of these (entry and exit
/// pages share the page space).
enum KeySpace: Int, CaseIterable {
    case page, hostname, source, referrer, channel, utmSource, utmMedium, utmCampaign, utmContent, utmTerm
    case country, browser, browserVersion, os, osVersion, device, screen, goal, propertyKey, property, currency

    init(_ dimension: Dimension) {
        switch dimension {
        case .page, .entryPage, .exitPage: self = .page
        case .hostname: self = .hostname
        case .source: self = .source
        case .referrer: self = .referrer
        case .channel: self = .channel
        case .utmSource: self = .utmSource
        case .utmMedium: self = .utmMedium
        case .utmCampaign: self = .utmCampaign
        case .utmContent: self = .utmContent
        case .utmTerm: self = .utmTerm
        case .country: self = .country
        case .browser: self = .browser
        case .browserVersion: self = .browserVersion
        case .os: self = .os
        case .osVersion: self = .osVersion
        case .device: self = .device
        case .screen: self = .screen
        case .goal: self = .goal
        case .propertyKey: self = .propertyKey
        case .property: self = .property
        case .currency: self = .currency
        }
    }

    /// Whether a table keeps only the strings its visits use: the session spaces filled from the
    /// rows that may start a visit (not the pages, which every hit has, nor the enumerations,
    /// whose ids are their raw values).
    var isCompacted: Bool {
        switch self {
        case .source, .referrer, .utmSource, .utmMedium, .utmCampaign, .utmContent, .utmTerm, .country, .browser,
            .browserVersion, .os, .osVersion:
            true
        default: false
        }
    }

    /// The journal column a space maps one to one, if it does.
    var field: StringField? {
        switch self {
        case .page: .pathname
        case .hostname: .hostname
        case .source: .source
        case .referrer: .referrer
        case .utmSource: .utmSource
        case .utmMedium: .utmMedium
        case .utmCampaign: .utmCampaign
        case .utmContent: .utmContent
        case .utmTerm: .utmTerm
        case .country: .country
        case .browser: .browser
        case .os: .os
        case .goal: .name
        default: nil
        }
    }
}

extension Dimension {
    /// The key of a `family` + `version` dimension value: `Chrome 131`, or the family alone.
    static func versioned(_ family: String, _ version: String) -> String {
        family.isEmpty || version.isEmpty ? family : family + " " + version
    }

    /// The key of a property dimension value: `plan=pro`.
    static func property(_ key: String, _ value: String) -> String { key + "=" + value }

    /// The session-level dimensions, in the order a fold keeps a visit's keys.
    static let sessionLevel: [Dimension] = allCases.filter(\.isSessionLevel)
}
