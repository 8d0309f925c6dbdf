/// The marketing channel a visit came through.
public enum Channel: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No referrer and no campaign.
    case direct = 0
    /// A link on another site.
    case referral = 1
    /// A search engine, unpaid.
    case organicSearch = 2
    /// A social network, unpaid.
    case organicSocial = 3
    /// A video site, unpaid.
    case organicVideo = 4
    /// An email campaign or webmail.
    case email = 5
    /// A paid search ad.
    case paidSearch = 6
    /// A paid social ad.
    case paidSocial = 7
    /// Any other paid campaign.
    case paidOther = 8
    /// An AI assistant (ChatGPT, Perplexity…).
    case aiAssistant = 9

    /// The channel's name as shown to people.
    public var description: String {
        switch self {
        case .direct: "Direct"
        case .referral: "Referral"
        case .organicSearch: "Organic Search"
        case .organicSocial: "Organic Social"
        case .organicVideo: "Organic Video"
        case .email: "Email"
        case .paidSearch: "Paid Search"
        case .paidSocial: "Paid Social"
        case .paidOther: "Paid Other"
        case .aiAssistant: "AI Assistants"
        }
    }
}

/// The class of device a hit came from.
public enum DeviceClass: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not known.
    case unknown = 0
    /// A desktop or laptop computer.
    case desktop = 1
    /// A phone.
    case mobile = 2
    /// A tablet.
    case tablet = 3
    /// A TV, set-top box or game console.
    case tv = 4

    /// The device class's name as shown to people.
    public var description: String {
        switch self {
        case .unknown: "Unknown"
        case .desktop: "Desktop"
        case .mobile: "Mobile"
        case .tablet: "Tablet"
        case .tv: "TV/Console"
        }
    }
}

/// The screen-size class of a hit, from the screen width the tracker reports.
public enum ScreenClass: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No width was sent.
    case unknown = 0
    /// Under 576 CSS pixels.
    case mobile = 1
    /// 576 to 991 CSS pixels.
    case tablet = 2
    /// 992 to 1439 CSS pixels.
    case laptop = 3
    /// 1440 CSS pixels and wider.
    case desktop = 4

    /// The class a screen width falls in.
    public init(width: Int?) {
        guard let width, width > 0 else {
            self = .unknown
            return
        }
        switch width {
        case ..<576: self = .mobile
        case ..<992: self = .tablet
        case ..<1440: self = .laptop
        default: self = .desktop
        }
    }

    /// The screen class's name as shown to people.
    public var description: String {
        switch self {
        case .unknown: "Unknown"
        case .mobile: "Mobile"
        case .tablet: "Tablet"
        case .laptop: "Laptop"
        case .desktop: "Desktop"
        }
    }
}
