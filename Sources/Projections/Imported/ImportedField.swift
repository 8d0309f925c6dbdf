import Foundation

/// A number an imported table's column holds, and how it becomes part of ``Metrics``.
enum ImportedField: Sendable {
    case visitors, visits, pageviews, events, bounces
    /// Total seconds of the visits.
    case durationSeconds

    /// Adds `value` to `metrics`.
    func add(_ value: Double, to metrics: inout Metrics) {
        let whole = Int64(clamping: Int64(exactly: value.rounded()) ?? 0)
        switch self {
        case .visitors: metrics.visitors += whole
        case .visits: metrics.visits += whole
        case .pageviews: metrics.pageviews += whole
        case .events: metrics.events += whole
        case .bounces: metrics.bounces += whole
        case .durationSeconds: metrics.duration += Int64(clamping: Int64(exactly: (value * 1000).rounded()) ?? 0)
        }
    }

    /// A count or total as another tool wrote it: `1234`, `1,234` (a thousands separator),
    /// `12.0`; nil when it is none of these or negative.
    static func number(_ text: String) -> Double? {
        let plain = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        if plain.isEmpty { return 0 }
        guard let value = Double(plain), value.isFinite, value >= 0, value < 1e15 else { return nil }
        return value
    }

    /// A dimension value as the site's own numbers have it: a tool's words for "none" are empty.
    static func label(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "(none)", "(not set)", "(direct)", "direct / none", "(unknown)", "(not provided)": return ""
        default: return trimmed
        }
    }

    /// A device class in the site's own words (`Desktop`, `Mobile`, `Tablet`, `TV/Console`,
    /// `Unknown`); laptops count as desktops, as the site's own classification has them.
    static func device(_ text: String) -> String {
        switch label(text).lowercased() {
        case "desktop", "laptop": "Desktop"
        case "mobile", "phone", "smartphone": "Mobile"
        case "tablet": "Tablet"
        case "smart tv", "tv", "tv/console", "console": "TV/Console"
        default: "Unknown"
        }
    }
}
