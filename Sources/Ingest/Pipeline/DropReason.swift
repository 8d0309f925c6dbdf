import Journal

/// Why a hit was not stored. Drops are counted, never stored per hit.
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// A crawler, script, headless browser, monitor or link previewer.
    case bot
    /// An app's own HTTP client (`Dalvik/…`), which cannot run the tracker: counted apart from bots.
    case app = "app-client"
    /// The visitor's browser asked not to be tracked (Global Privacy Control or Do Not Track) and
    /// the site honours that.
    case visitorChoice = "visitor-choice"
    /// The referrer is on the referrer-spam list.
    case spam
    /// None of the event's domains is a registered site.
    case unknownSite = "unknown-site"
    /// The client address could not be read.
    case invalidAddress = "invalid-address"
    /// The hit's day is so old that its salt was already deleted; it cannot be given a visitor id.
    case expiredDay = "expired-day"
}

/// What happened to an event.
public enum IngestOutcome: Sendable {
    /// Stored as these hits (one per registered site named in the event).
    case accepted([Journal.Hit])
    /// Dropped by policy.
    case dropped(DropReason)
    /// Rejected: the event breaks the documented limits or is malformed (the sender's fault).
    case invalid([IngestError])
    /// Not stored because of a fault here (the salt file could not be written): the sender did
    /// nothing wrong, and the hit was not recorded.
    case failed(IngestError)
}
