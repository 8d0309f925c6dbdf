import Foundation

/// Turns UTC timestamps into a site's local day and hour.
///
/// Asking a `TimeZone` for its offset is slow, so the clock remembers the span of time over which
/// the offset stays the same (between two daylight-saving transitions) and answers from it.
public struct LocalClock: Sendable {
    /// Milliseconds in a day.
    public static let dayLength: Int64 = 86_400_000

    /// The zone the clock reads.
    public let zone: TimeZone
    private var spanStart: Int64 = 1
    private var spanEnd: Int64 = 0
    private var offset: Int64 = 0

    /// A clock for `zone`.
    public init(zone: TimeZone) { self.zone = zone }

    /// The zone's offset from UTC at `time` (ms since epoch UTC), in milliseconds.
    @inline(__always)
    public mutating func offset(at time: Int64) -> Int64 {
        if time >= spanStart && time < spanEnd { return offset }
        refresh(at: time)
        return offset
    }

    /// The local day (days since 1970-01-01 in the zone) holding `time`.
    @inline(__always)
    public mutating func day(of time: Int64) -> Int64 {
        Self.floorDivide(time + offset(at: time), Self.dayLength)
    }

    /// The local day and the local hour of day (0–23) holding `time`.
    @inline(__always)
    public mutating func dayAndHour(of time: Int64) -> (day: Int64, hour: Int) {
        let local = time + offset(at: time)
        let day = Self.floorDivide(local, Self.dayLength)
        return (day, Int((local - day * Self.dayLength) / 3_600_000))
    }

    /// A UTC range sure to hold every instant of local day `day` (a little wider than the day, for
    /// choosing journal blocks; records are then checked one by one with ``day(of:)``).
    public static func looseRange(ofDay day: Int64) -> Range<Int64> {
        let margin: Int64 = 15 * 3_600_000  // more than any zone's offset from UTC
        return (day * dayLength - margin)..<((day + 1) * dayLength + margin)
    }

    /// Floor division (rounds toward negative infinity).
    @inline(__always)
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }

    private mutating func refresh(at time: Int64) {
        let date = Date(timeIntervalSince1970: Double(time) / 1000)
        offset = Int64(zone.secondsFromGMT(for: date)) * 1000
        guard let next = zone.nextDaylightSavingTimeTransition(after: date) else {
            (spanStart, spanEnd) = (.min, .max)  // a fixed offset
            return
        }
        spanEnd = Int64((next.timeIntervalSince1970 * 1000).rounded(.down))
        // The span starts at the previous transition, or a day back if there was none in between.
        let dayBack = time - Self.dayLength
        let probe = Date(timeIntervalSince1970: Double(dayBack) / 1000)
        if let previous = zone.nextDaylightSavingTimeTransition(after: probe),
            Int64((previous.timeIntervalSince1970 * 1000).rounded(.down)) <= time
        {
            spanStart = Int64((previous.timeIntervalSince1970 * 1000).rounded(.down))
        } else {
            spanStart = dayBack
        }
    }
}
