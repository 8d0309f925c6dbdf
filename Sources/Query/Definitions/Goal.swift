import Foundation
import Projections

/// A conversion a site owner defined: a custom event (optionally with property conditions), a
/// page view whose path matches a pattern, or such a page scrolled to a depth.
///
/// A goal is a condition on hits, written as a ``Filter`` over the existing dimensions, so a goal
/// filter (`goal is Signup`) is answered by every path of the planner and by ClickHouse alike.
public struct Goal: Codable, Sendable, Hashable {
    /// What completes the goal.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// A custom event of a name (``Goal/event``), with ``Goal/properties`` if any.
        case event
        /// A page view whose path matches ``Goal/path``.
        case page
        /// A page view whose path matches ``Goal/path`` and that its visit scrolled to at least
        /// ``Goal/scrollDepth`` % (from the tracker's engagement reports).
        case scroll
    }

    /// The site.
    public var site: String
    /// The name shown and filtered on (`goal is NAME`); unique per site.
    public var name: String
    /// What completes it.
    public var kind: Kind
    /// The custom event's name (kind `event`).
    public var event: String?
    /// Property conditions the same event must meet, all of them (kind `event`).
    public var properties: [String: String]?
    /// The path pattern (kinds `page` and `scroll`; see ``PathPattern``).
    public var path: String?
    /// The scroll depth in percent, 1–100 (kind `scroll`).
    public var scrollDepth: Int?

    /// A custom-event goal; its name defaults to the event's.
    public static func event(site: String, _ event: String, properties: [String: String] = [:], name: String? = nil)
        -> Goal
    {
        Goal(
            site: site, name: name ?? event, kind: .event, event: event,
            properties: properties.isEmpty ? nil : properties)
    }

    /// A page-view goal; its name defaults to `Visit PATTERN`.
    public static func page(site: String, _ path: String, name: String? = nil) -> Goal {
        Goal(site: site, name: name ?? "Visit \(path)", kind: .page, path: path)
    }

    /// A scroll-depth goal; its name defaults to `Scroll N% on PATTERN`.
    public static func scroll(site: String, _ path: String, depth: Int, name: String? = nil) -> Goal {
        Goal(site: site, name: name ?? "Scroll \(depth)% on \(path)", kind: .scroll, path: path, scrollDepth: depth)
    }

    /// The hits that complete the goal.
    public func filter() throws -> Filter {
        switch kind {
        case .event:
            guard let event, !event.isEmpty else { throw Self.invalid("goal '\(name)' names no event") }
            let conditions = (properties ?? [:]).sorted { $0.key < $1.key }.map { key, value in
                Filter.compare(.init(op: .is, dimension: .property, values: [value], propertyKey: key))
            }
            return .and([.compare(.init(op: .is, dimension: .goal, values: [event]))] + conditions)
        case .page:
            return .and([Self.pageview, try pathCondition()])
        case .scroll:
            guard let scrollDepth, (1...100).contains(scrollDepth) else {
                throw Self.invalid("goal '\(name)' needs a scroll depth from 1 to 100 (percent)")
            }
            return .and([Self.pageview, try pathCondition(), .scrolled(atLeast: scrollDepth)])
        }
    }

    /// Checks the definition: a name, the fields its kind needs, a valid pattern.
    public func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 120 else {
            throw Self.invalid("a goal's name must be 1 to 120 characters")
        }
        _ = try filter()
    }

    /// Page views: hits without an event name.
    static let pageview = Filter.not(.compare(.init(op: .matches, dimension: .goal, values: ["^"])))

    private func pathCondition() throws -> Filter {
        guard let path else { throw Self.invalid("goal '\(name)' needs a page path (e.g. /blog/**)") }
        return .compare(.init(op: .matches, dimension: .page, values: [try PathPattern(path).regularExpression]))
    }

    private static func invalid(_ message: String) -> QueryError { QueryError.invalid(message, field: "goal") }
}
