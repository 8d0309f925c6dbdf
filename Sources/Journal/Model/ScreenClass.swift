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
