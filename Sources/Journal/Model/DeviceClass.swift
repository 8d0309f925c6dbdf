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
