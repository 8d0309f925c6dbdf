import Journal

/// Where an import's hits go.
public enum ImportDestination: Sendable {
    /// Straight into the journal, through its writer, which this process holds (no server runs).
    case journal(JournalWriter)
    /// Into the spool, for the process that holds the journal (a running `infinity serve`) to
    /// append. `journal` is the journal's folder (read only, to settle what an earlier direct
    /// import left pending), `classifiers` this build's classifier versions, and `room` is called
    /// before each batch with the batches this import spooled that were not taken yet: it returns
    /// once there are few enough, so that a slow server never lets the spool grow without bound.
    case spool(
        JournalSpool, journal: String, classifiers: [String: String], room: @Sendable ([String]) throws -> Void)

    /// The journal's folder.
    var journalDirectory: String {
        switch self {
        case .journal(let writer): writer.configuration.directory
        case .spool(_, let journal, _, _): journal
        }
    }
}
