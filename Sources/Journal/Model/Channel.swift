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
