import Foundation
import Synchronization

/// How much one query may cost: regular expressions are checked when they are parsed (length,
/// nesting, backreferences), and evaluated only until the query's time budget is spent; a query
/// that runs out fails with a clear error instead of holding a core.
public final class QueryBudget: Sendable {
    /// When the budget runs out.
    let deadline: ContinuousClock.Instant
    private let spent = Atomic<Bool>(false)

    /// A budget of `seconds` from now.
    public init(seconds: Double) { deadline = .now + .milliseconds(Int64(seconds * 1000)) }

    /// Whether the budget is spent; checked before each costly step (a regular expression on one
    /// distinct value), which then is skipped.
    func isSpent() -> Bool {
        if spent.load(ordering: .relaxed) { return true }
        guard ContinuousClock.now > deadline else { return false }
        spent.store(true, ordering: .relaxed)
        return true
    }

    /// Whether a step was skipped because the budget ran out.
    var wasSpent: Bool { spent.load(ordering: .relaxed) }

    /// Seconds left before the deadline (0 once it has passed).
    var remaining: Double {
        let left = deadline - ContinuousClock.now
        return max(0, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
    }

    /// The longest regular expression accepted.
    static let maxPatternLength = 200
    /// The most unbounded repetitions (`*`, `+`, `{n,}`, or `{n,m}` with a wide range) one
    /// expression may have. With two, matching one value of at most 2,000 characters (the longest
    /// stored) takes at most about 2,000² steps, so a query's cost ends soon after its budget.
    static let maxRepetitions = 2

    /// Throws a ``QueryError`` for a pattern whose matching could take very long: too long, with
    /// a repeated group that itself repeats or alternates (`(a+)+`, `(a|a)*`: exponential
    /// backtracking), with too many unbounded repetitions, or with backreferences.
    static func check(pattern: String) throws {
        func refuse(_ why: String) -> QueryError {
            QueryError.invalid("the regular expression '\(pattern.prefix(60))' is refused: \(why)", field: "filters")
        }
        guard pattern.count <= maxPatternLength else {
            throw refuse("it is longer than \(maxPatternLength) characters")
        }
        let characters = Array(pattern)
        // Per open group: whether it holds a repetition or an alternation.
        var groups: [(repeats: Bool, alternates: Bool)] = [(false, false)]
        var repetitions = 0
        var lastClosed: (repeats: Bool, alternates: Bool)?
        var index = 0
        var inClass = false
        while index < characters.count {
            let character = characters[index]
            let closedBefore = lastClosed
            lastClosed = nil
            if character == "\\" {
                if index + 1 < characters.count, characters[index + 1].isNumber, characters[index + 1] != "0" {
                    throw refuse("backreferences (\\1 …) are not supported")
                }
                index += 2
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
                index += 1
                continue
            }
            switch character {
            case "[": inClass = true
            case "(": groups.append((false, false))
            case ")":
                if groups.count > 1 {
                    let closed = groups.removeLast()
                    // What a group holds, the group around it holds too.
                    groups[groups.count - 1].repeats = groups[groups.count - 1].repeats || closed.repeats
                    groups[groups.count - 1].alternates = groups[groups.count - 1].alternates || closed.alternates
                    lastClosed = closed
                }
            case "|": groups[groups.count - 1].alternates = true
            case "*", "+", "{":
                var unbounded = character != "{"
                if character == "{" {
                    let body = String(characters[(index + 1)...].prefix { $0 != "}" })
                    let bounds = body.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                    if bounds.count == 2 {
                        // {n,} is unbounded; so is a wide {n,m}, which backtracks as much.
                        unbounded = bounds[1] == nil || (bounds[1] ?? 0) - (bounds[0] ?? 0) > 16
                    }
                }
                if let closed = closedBefore, closed.repeats || closed.alternates {
                    throw refuse(
                        "a repeated group that itself repeats or alternates, like (a+)+ or (a|b)*, can take exponential time; write it without the outer repetition"
                    )
                }
                groups[groups.count - 1].repeats = true
                if unbounded {
                    repetitions += 1
                    guard repetitions <= maxRepetitions else {
                        throw refuse("it has more than \(maxRepetitions) unbounded repetitions (*, +, {n,})")
                    }
                }
            default: break
            }
            index += 1
        }
    }
}
