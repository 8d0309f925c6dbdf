import Projections

/// Number, size, duration and date formatting for people.
enum Format {
    /// 950, 1.2k, 34.5M.
    static func count(_ value: Double) -> String {
        let magnitude = abs(value)
        switch magnitude {
        case ..<1_000: return String(Int(value.rounded()))
        case ..<1_000_000: return decimal(value / 1_000) + "k"
        case ..<1_000_000_000: return decimal(value / 1_000_000) + "M"
        default: return decimal(value / 1_000_000_000) + "G"
        }
    }

    /// 512 B, 1.5 MiB.
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : decimal(amount) + " " + units[unit]
    }

    /// 2m 05s, 1h 10m, 45s.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h \(pad2((total % 3600) / 60))m" }
        if total >= 60 { return "\(total / 60)m \(pad2(total % 60))s" }
        return "\(total)s"
    }

    /// One decimal place below 100, none above.
    static func decimal(_ value: Double) -> String {
        if abs(value) >= 100 { return String(Int(value.rounded())) }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `2026-11-29T14:03:07.123Z` for ms since epoch.
    static func timestamp(_ milliseconds: Int64) -> String {
        let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let rest = milliseconds - days * 86_400_000
        let hours = rest / 3_600_000, minutes = (rest / 60_000) % 60, seconds = (rest / 1000) % 60, millis = rest % 1000
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(date(days: days))T\(pad2(Int(hours))):\(pad2(Int(minutes))):\(pad2(Int(seconds))).\(ms)Z"
    }

    /// `2026-11-29` for a day number since 1970-01-01.
    static func date(days: Int64) -> String { DayKey.isoDate(days) }

    /// `YYYY-MM-DD` → days since 1970-01-01, or nil if it is not a valid date.
    static func parseDate(_ text: String) -> Int64? { DayKey.day(fromISODate: text) }
}
