import Projections

/// The period an e-mail report covers: a whole week (Monday to Sunday) or calendar month, in the
/// site's own days.
public enum ReportPeriod: String, Sendable, Hashable, CaseIterable, Codable {
    /// Monday to Sunday.
    case week
    /// A calendar month.
    case month

    /// The last whole period that ended before `today` (a site-local day number).
    public func lastComplete(before today: Int64) -> ClosedRange<Int64> {
        switch self {
        case .week:
            let start = CivilDays.weekStart(of: today) - 7
            return start...(start + 6)
        case .month:
            let end = CivilDays.monthStart(of: today) - 1
            return CivilDays.monthStart(of: end)...end
        }
    }

    /// How people name the period: `the week of 2026-11-23`, `November 2026`.
    public func name(of days: ClosedRange<Int64>) -> String {
        switch self {
        case .week: return "the week of \(DayKey.isoDate(days.lowerBound))"
        case .month:
            let (year, month, _) = CivilDays.civil(days.lowerBound)
            let months = [
                "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December",
            ]
            return "\(months[Int(month) - 1]) \(year)"
        }
    }
}
