/// One engagement report of a day (``Journal/Hit/engagement``), attached to a visit: the visit of
/// its visitor that began last at or before it. Reports are kept beside the hits, never among
/// them, so visits, bounces, durations, page views and events are what they would be without
/// them; they count only into time on page and scroll depth. The tracker sends a report each time
/// a page is hidden or left, with the seconds visible since its last report and the deepest
/// scroll so far, so the reports of one page in one visit add up their seconds and keep their
/// deepest scroll, and count once.
struct Engagement: Sendable, Equatable {
    /// The visit it belongs to; -1 when it belongs to none (it is kept, so that a day's records
    /// are all accounted for, and counts nowhere).
    var visit: Int32
    /// Its page and host name key ids (the page it reports on).
    var page: UInt32
    var hostname: UInt32
    /// Local hour 0–23.
    var hour: UInt8
    /// Seconds the page was visible.
    var seconds: UInt32
    /// Deepest scroll, 0–100 %.
    var scroll: UInt8
    /// When it was sent (ms UTC); only in tables folded from the journal, never stored.
    var time: Int64 = 0
}

/// An engagement report not yet attached to a visit (its visitor's visits are cut later).
struct PendingEngagement {
    var visitor: UInt64
    var time: Int64
    var page: UInt32
    var hostname: UInt32
    var hour: UInt8
    var seconds: UInt32
    var scroll: UInt8
}
