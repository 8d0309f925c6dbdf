/// The string-valued fields of a ``Hit``, in the order their columns appear in a block payload.
public enum StringField: Int, CaseIterable, Sendable, Hashable {
    /// ``Hit/site``.
    case site
    /// ``Hit/name``.
    case name
    /// ``Hit/hostname``.
    case hostname
    /// ``Hit/pathname``.
    case pathname
    /// ``Hit/referrer``.
    case referrer
    /// ``Hit/source``.
    case source
    /// ``UTM/source``.
    case utmSource
    /// ``UTM/medium``.
    case utmMedium
    /// ``UTM/campaign``.
    case utmCampaign
    /// ``UTM/content``.
    case utmContent
    /// ``UTM/term``.
    case utmTerm
    /// ``Hit/country``.
    case country
    /// ``Hit/browser``.
    case browser
    /// ``Hit/browserVersion``.
    case browserVersion
    /// ``Hit/os``.
    case os
    /// ``Hit/osVersion``.
    case osVersion
}

extension StringField {
    /// The fields a block with visitor profiles stores once per visitor (``BlockHeader/Layout``):
    /// derived from the address and the user agent, the same for all of a visitor's records.
    public static let profileFields: [StringField] = [.country, .browser, .browserVersion, .os, .osVersion]
}

extension Hit {
    /// The value of one string field.
    @inline(__always)
    public subscript(field: StringField) -> String {
        get {
            switch field {
            case .site: site
            case .name: name
            case .hostname: hostname
            case .pathname: pathname
            case .referrer: referrer
            case .source: source
            case .utmSource: utm.source
            case .utmMedium: utm.medium
            case .utmCampaign: utm.campaign
            case .utmContent: utm.content
            case .utmTerm: utm.term
            case .country: country
            case .browser: browser
            case .browserVersion: browserVersion
            case .os: os
            case .osVersion: osVersion
            }
        }
        set {
            switch field {
            case .site: site = newValue
            case .name: name = newValue
            case .hostname: hostname = newValue
            case .pathname: pathname = newValue
            case .referrer: referrer = newValue
            case .source: source = newValue
            case .utmSource: utm.source = newValue
            case .utmMedium: utm.medium = newValue
            case .utmCampaign: utm.campaign = newValue
            case .utmContent: utm.content = newValue
            case .utmTerm: utm.term = newValue
            case .country: country = newValue
            case .browser: browser = newValue
            case .browserVersion: browserVersion = newValue
            case .os: os = newValue
            case .osVersion: osVersion = newValue
            }
        }
    }
}
