import Journal
import Query

/// Who gets which e-mail report, kept in `<data>/reports.json` (mode 0600: it holds addresses),
/// with the last period sent to each, so a restart never sends one twice.
public final class ReportStore: Sendable {
    /// One recipient's report of one site.
    public struct Subscription: Codable, Sendable, Hashable {
        /// The site.
        public var site: String
        /// The recipient.
        public var email: String
        /// Weekly or monthly.
        public var period: ReportPeriod
        /// The first day (`yyyy-mm-dd`) of the last period sent, if any.
        public var lastSent: String?
    }

    /// The reports file.
    public var path: String { list.file.path }
    private let list: RegistryList<Subscription>

    /// The store at `path`.
    public init(path: String) throws {
        list = try RegistryList(
            path: path, noun: "reports",
            hint: "Restore it from a backup, or delete it and add the reports again with `infinity reports add`")
    }

    /// Reads the file again if another process changed it; whether it did.
    public func reloadIfChanged() throws -> Bool { try list.reloadIfChanged() }

    /// Every subscription.
    public var all: [Subscription] { list.entries }

    /// Adds a recipient's report (or changes its period).
    public func add(site: String, email: String, period: ReportPeriod) throws {
        let email = email.lowercased()
        guard email.contains("@"), !email.contains(" ") else {
            throw ServerError("'\(email)' is not an e-mail address", hint: "Write it like owner@example.com")
        }
        try list.update { entries in
            entries.removeAll { $0.site == site && $0.email == email }
            entries.append(Subscription(site: site, email: email, period: period, lastSent: nil))
            return (true, ())
        }
    }

    /// Removes a recipient's report of a site; whether there was one.
    public func remove(site: String, email: String) throws -> Bool {
        try list.update { entries in
            let before = entries.count
            entries.removeAll { $0.site == site && $0.email == email.lowercased() }
            return (entries.count != before, entries.count != before)
        }
    }

    /// Removes every report of `site` (when it is deleted); how many there were.
    @discardableResult
    public func removeAll(site: String) throws -> Int {
        try list.update { entries in
            let before = entries.count
            entries.removeAll { $0.site == site }
            return (entries.count != before, before - entries.count)
        }
    }

    /// Records that the period starting on `first` was sent.
    public func markSent(_ subscription: Subscription, first: String) throws {
        try list.update { entries in
            guard
                let index = entries.firstIndex(where: { $0.site == subscription.site && $0.email == subscription.email }
                )
            else { return (false, ()) }
            entries[index].lastSent = first
            return (true, ())
        }
    }
}
