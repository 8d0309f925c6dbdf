/// A table of daily aggregates brought in from another analytics tool: the numbers of one day,
/// broken down by nothing (``visitors``) or by the values of some dimensions.
///
/// The tables are those of Plausible's CSV export (`imported_visitors.csv`, `imported_pages.csv`,
/// …); a Google Analytics daily report fills the one table its dimension belongs to. Each table
/// fills the dimensions listed in ``dimensions``, each summed over the table's rows that share its
/// value (a sources row per source, referrer and UTM values adds to all seven).
public enum ImportedTable: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// A day's totals.
    case visitors = 0
    /// Visits by source, referrer, UTM values and channel.
    case sources
    /// Page views by host name and page.
    case pages
    /// Visits by entry page.
    case entryPages
    /// Visits by exit page.
    case exitPages
    /// Custom events by name (and the link or path they carry).
    case customEvents
    /// Visits by country.
    case locations
    /// Visits by device class.
    case devices
    /// Visits by browser and version.
    case browsers
    /// Visits by operating system and version.
    case operatingSystems

    /// The dimensions the table's labels fill, in the order of a row's labels. A custom event's
    /// link and path become the properties `url` and `path`, as Plausible shows them.
    public var dimensions: [Dimension] {
        switch self {
        case .visitors: []
        case .sources: [.source, .referrer, .utmSource, .utmMedium, .utmCampaign, .utmContent, .utmTerm, .channel]
        case .pages: [.hostname, .page]
        case .entryPages: [.entryPage]
        case .exitPages: [.exitPage]
        case .customEvents: [.goal, .property, .property]
        case .locations: [.country]
        case .devices: [.device]
        case .browsers: [.browser, .browserVersion]
        case .operatingSystems: [.os, .osVersion]
        }
    }

    /// Every dimension some table fills, and the table that fills it.
    public static func table(filling dimension: Dimension) -> ImportedTable? {
        if dimension == .propertyKey { return .customEvents }
        return allCases.first { $0.dimensions.contains(dimension) }
    }

    /// The name in Plausible's export (`imported_NAME_….csv`) and in listings.
    public var description: String {
        switch self {
        case .visitors: "visitors"
        case .sources: "sources"
        case .pages: "pages"
        case .entryPages: "entry_pages"
        case .exitPages: "exit_pages"
        case .customEvents: "custom_events"
        case .locations: "locations"
        case .devices: "devices"
        case .browsers: "browsers"
        case .operatingSystems: "operating_systems"
        }
    }

    /// The table named `name` (`pages`, `entry_pages`, …).
    public init?(name: String) {
        guard let table = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = table
    }
}
