import Journal

/// One record of the day, with the ids the fold needs for every hit.
///
/// 32 bytes, so that a row moved into its visitor's place (a write anywhere in the day's rows)
/// touches one cache line, not two; its visitor's number is kept beside the rows
/// (``FoldState/visitorNumbers``), and its place in journal order is where it is.
struct FoldRow {
    var time: Int64
    /// Where its session keys are in ``FoldState/startKeys`` (in units of a visit's keys) when
    /// it may start a visit, else `UInt32.max`.
    var start: UInt32
    var page: UInt32
    var hostname: UInt32
    /// The goal id of a custom event; `UInt32.max` for a page view.
    var goal: UInt32
    /// Index into the extras (properties, revenue), or -1.
    var extra: Int32
    var hour: UInt8
    var flags: UInt8

    var isPageview: Bool { goal == .max }
    var interactive: Bool { flags & HitFlags.nonInteractive.rawValue == 0 }
}
