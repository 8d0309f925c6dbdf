/// The visitor ids active within about the last session timeout, with the time each was last
/// seen: what lets a session that runs over midnight keep yesterday's id (``VisitorIdentifier``).
///
/// Ids are kept in two generations. A new generation starts once the current one is a session
/// timeout old (an id of the generation before was then last seen more than a timeout ago, and
/// is dropped with it) or holds half of `capacity` ids (a flood of visitors: continuity over
/// midnight is best effort then). So memory follows the visitors of the last half hour or so, never
/// more than `capacity` ids, and no step walks the ids: the lock that guards this is held for a
/// lookup or two and an insert, never for a sweep (nor for a rehash of all of a generation's ids:
/// see ``Generation``).
struct RecentVisitors {
    /// One generation's ids and when each was last seen, split by their low bits over 64
    /// dictionaries: a dictionary that grows moves all its entries at once, and one of half a million
    /// ids would hold the lock (and every hit) for milliseconds; a 64th of it, for a 64th of that.
    private struct Generation {
        private var parts: [[UInt64: Int64]]
        private(set) var count = 0

        /// An empty generation with room for about `expected` ids.
        init(expected: Int) {
            parts = (0..<64).map { _ in Dictionary(minimumCapacity: expected / 64) }
        }

        /// When `id` was last seen, if it is in this generation.
        subscript(id: UInt64) -> Int64? { parts[Int(id & 63)][id] }

        /// Notes that `id` was last seen at `time`.
        mutating func set(_ id: UInt64, seenAt time: Int64) {
            if parts[Int(id & 63)].updateValue(time, forKey: id) == nil { count += 1 }
        }
    }

    /// Milliseconds of silence after which a session ends.
    let sessionTimeout: Int64
    /// Ids a generation holds at most.
    let generationCapacity: Int
    private var current = Generation(expected: 0)
    private var previous = Generation(expected: 0)
    /// When the current generation began (ms), nil before the first id.
    private var generationStart: Int64?
    /// The latest time (ms) at which a hit kept yesterday's id, nil if none has.
    private(set) var latestContinued: Int64?

    init(sessionTimeout: Int64, capacity: Int) {
        self.sessionTimeout = sessionTimeout
        self.generationCapacity = max(1, capacity / 2)
    }

    /// Ids kept, in both generations.
    var count: Int { current.count + previous.count }

    /// When `id` was last seen, if it is still kept.
    func lastSeen(_ id: UInt64) -> Int64? { current[id] ?? previous[id] }

    /// Today's id for a hit at `time`, if yesterday's cannot apply: `today` was already seen (its
    /// session goes on with it), or no session that kept yesterday's id can still be active. The
    /// second holds when midnight is more than a session timeout ago (`nearMidnight` false) and no
    /// hit kept yesterday's id within a timeout: yesterday's ids were last seen before midnight or
    /// by such a hit. Nil when yesterday's id must be worked out (``assign(today:yesterday:at:)``).
    mutating func settled(today: UInt64, at time: Int64, nearMidnight: Bool) -> UInt64? {
        let last = lastSeen(today)
        let continuing = nearMidnight || latestContinued.map { time - $0 <= sessionTimeout } ?? false
        guard last != nil || !continuing else { return nil }
        record(today, at: time, last: last)
        return today
    }

    /// The id of a hit at `time`: yesterday's, when that id was active within the session timeout
    /// and today's has not been seen (a session over midnight), else today's.
    mutating func assign(today: UInt64, yesterday: UInt64?, at time: Int64) -> UInt64 {
        let lastToday = lastSeen(today)
        if let yesterday, lastToday == nil, let last = lastSeen(yesterday), time - last <= sessionTimeout {
            latestContinued = max(latestContinued ?? time, time)
            record(yesterday, at: time, last: last)
            return yesterday
        }
        record(today, at: time, last: lastToday)
        return today
    }

    /// Notes that `id`, last seen at `last`, was seen at `time`.
    private mutating func record(_ id: UInt64, at time: Int64, last: Int64?) {
        if let start = generationStart {
            if current.count >= generationCapacity || time - start > sessionTimeout {
                previous = current
                current = Generation(expected: previous.count)
                generationStart = time
            }
        } else {
            generationStart = time
        }
        current.set(id, seenAt: max(last ?? time, time))
    }
}
