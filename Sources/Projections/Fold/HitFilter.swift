import Journal

/// Which hits a fold counts (visits are still cut from all of the visitor's hits).
///
/// Queries with filters that stored rollups cannot answer fold the days they need on the fly with
/// a filter: the numbers then mean "over the hits that match", with the same definitions as always
/// (a matching hit's visit counts with its bounce and duration).
public indirect enum HitFilter: Sendable {
    /// Every filter matches.
    case all([HitFilter])
    /// At least one filter matches.
    case any([HitFilter])
    /// The filter does not match.
    case not(HitFilter)
    /// The hit's value of the dimension satisfies the predicate. A hit without a value (a page view
    /// has no goal, a hit without properties no property) does not match; properties match when
    /// any of the hit's `key=value` (or key) values does.
    case value(Dimension, @Sendable (String) -> Bool)
    /// The hit happened in this range of instants (ms UTC).
    case time(Range<Int64>)
    /// The hit was imported from history (`true`) or sent live (`false`).
    case imported(Bool)
    /// The hit at which its visit first completes these steps in order: a hit matching the first
    /// step, a later hit matching the second, and so on (other hits in between are allowed; one
    /// hit completes at most one step). Only that hit matches, so a visit counts once.
    case sequence([HitFilter])
    /// The hit is a page view of a page its visit scrolled to at least this depth, in percent
    /// (the deepest scroll of the visit's engagement reports on that page).
    case scrolled(atLeast: Int)
}

extension HitFilter {
    /// Whether the filter needs hit timestamps (which only tables folded from the journal have).
    public var needsTimestamps: Bool {
        switch self {
        case .all(let parts), .any(let parts), .sequence(let parts): parts.contains(where: \.needsTimestamps)
        case .not(let part): part.needsTimestamps
        case .time: true
        case .value, .imported, .scrolled: false
        }
    }

    /// The visit-table columns evaluating the filter reads.
    var columns: VisitTable.Columns {
        var columns: VisitTable.Columns = []
        switch self {
        case .all(let parts), .any(let parts), .sequence(let parts):
            for part in parts { columns.formUnion(part.columns) }
        case .not(let part): columns = part.columns
        case .value(let dimension, _): columns = .counting(dimension)
        case .imported: columns = .flags
        case .time: columns = []
        case .scrolled: columns = [.pages, .engagements]
        }
        return columns
    }
}

/// A ``HitFilter`` turned into lookup tables over a visit table's key ids.
struct CompiledFilter {
    indirect enum Node {
        case all([Node])
        case any([Node])
        case not(Node)
        case leaf(Dimension, [Bool])
        case time(Range<Int64>)
        case imported(Bool)
        case sequence([Node])
        case scrolled(Int)
    }

    let root: Node
    /// Whether only session-level values are tested, so a visit's hits all match or none do.
    let isSessionLevel: Bool

    init(_ filter: HitFilter, keys: [[String]]) {
        func compile(_ filter: HitFilter) -> Node {
            switch filter {
            case .all(let parts): .all(parts.map(compile))
            case .any(let parts): .any(parts.map(compile))
            case .not(let part): .not(compile(part))
            case .value(let dimension, let predicate):
                .leaf(dimension, keys[KeySpace(dimension).rawValue].map(predicate))
            case .time(let range): .time(range)
            case .imported(let imported): .imported(imported)
            case .sequence(let steps): .sequence(steps.map(compile))
            case .scrolled(let depth): .scrolled(depth)
            }
        }
        root = compile(filter)
        func sessionLevel(_ filter: HitFilter) -> Bool {
            switch filter {
            case .all(let parts), .any(let parts): parts.allSatisfy(sessionLevel)
            case .not(let part): sessionLevel(part)
            case .value(let dimension, _): dimension.isSessionLevel
            case .time, .imported, .sequence, .scrolled: false
            }
        }
        isSessionLevel = sessionLevel(filter)
    }

    /// For a session-level filter: whether each visit matches (all its hits match or none do).
    func visitMask(_ table: VisitTable) -> [Bool] {
        precondition(isSessionLevel)
        let count = table.visitCount
        func evaluate(_ node: Node) -> [Bool] {
            switch node {
            case .all(let parts): return combine(parts.map(evaluate), count: count, all: true)
            case .any(let parts): return combine(parts.map(evaluate), count: count, all: false)
            case .not(let part): return evaluate(part).map { !$0 }
            case .leaf(let dimension, let matching):
                return Self.lookUp(table.sessionKeys[FoldSlots.slot(of: dimension)], matching, count: count)
            case .time, .imported, .sequence, .scrolled: preconditionFailure("not a session-level test")
            }
        }
        return evaluate(root)
    }

    /// Whether each hit matches, in the table's hit order.
    func hitMask(_ table: VisitTable) -> [Bool] {
        let count = table.hitCount
        /// Expands one value per visit to its hits.
        func perHit(_ visits: [Bool]) -> [Bool] {
            withExtendedLifetime(table.visitStarts) {
                let starts = table.visitStarts.view
                return [Bool](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<table.visitCount {
                        let value = visits[index]
                        for hit in Int(starts[index])..<Int(starts[index + 1]) { buffer[hit] = value }
                    }
                    initialized = count
                }
            }
        }
        func evaluate(_ node: Node) -> [Bool] {
            switch node {
            case .all(let parts): return combine(parts.map(evaluate), count: count, all: true)
            case .any(let parts): return combine(parts.map(evaluate), count: count, all: false)
            case .not(let part): return evaluate(part).map { !$0 }
            case .time(let range): return table.times.map { range.contains($0) }
            case .sequence(let steps): return completions(of: steps.map(evaluate), in: table)
            case .scrolled(let depth): return scrolled(atLeast: depth, in: table)
            case .imported(let imported):
                let flags = table.flags
                return (0..<count).map { (flags[$0] & UInt32(HitFlags.imported.rawValue) != 0) == imported }
            case .leaf(let dimension, let matching):
                switch dimension {
                case .page: return Self.lookUp(table.pages, matching, count: count)
                case .hostname: return Self.lookUp(table.hostnames, matching, count: count)
                case .goal: return Self.lookUp(table.goals, matching, count: count, offset: 1)
                case .propertyKey, .property, .currency:
                    var mask = [Bool](repeating: false, count: count)
                    let extras = table.extras
                    for (extra, hit) in table.extraHits.enumerated() {
                        let pairs = extras.pairs(of: extra)
                        mask[Int(hit)] =
                            switch dimension {
                            case .propertyKey: extras.propertyKeys[pairs].contains { matching[Int($0)] }
                            case .property: extras.properties[pairs].contains { matching[Int($0)] }
                            default: extras.currencies[extra] != .max && matching[Int(extras.currencies[extra])]
                            }
                    }
                    return mask
                default:
                    let keys = table.sessionKeys[FoldSlots.slot(of: dimension)]
                    return perHit(Self.lookUp(keys, matching, count: table.visitCount))
                }
            }
        }
        return evaluate(root)
    }

    /// Whether each engagement report matches: its page and host name are its own, session values
    /// its visit's; it has no goal, property or revenue, was never imported, and completes no
    /// sequence.
    func engagementMask(_ table: VisitTable) -> [Bool] {
        let reports = table.engagements
        func evaluate(_ node: Node) -> [Bool] {
            switch node {
            case .all(let parts): return combine(parts.map(evaluate), count: reports.count, all: true)
            case .any(let parts): return combine(parts.map(evaluate), count: reports.count, all: false)
            case .not(let part): return evaluate(part).map { !$0 }
            case .time(let range): return reports.map { range.contains($0.time) }
            case .imported(let imported): return reports.map { _ in !imported }
            case .sequence, .scrolled: return reports.map { _ in false }
            case .leaf(let dimension, let matching):
                switch dimension {
                case .page: return reports.map { matching[Int($0.page)] }
                case .hostname: return reports.map { matching[Int($0.hostname)] }
                case .goal, .propertyKey, .property, .currency: return reports.map { _ in false }
                default:
                    let keys = table.sessionKeys[FoldSlots.slot(of: dimension)]
                    return withExtendedLifetime(keys) {
                        let view = keys.view
                        return reports.map { $0.visit >= 0 && matching[Int(view[Int($0.visit)])] }
                    }
                }
            }
        }
        return evaluate(root)
    }

    /// The page views whose page their visit's engagement reports scrolled to at least `depth` %.
    private func scrolled(atLeast depth: Int, in table: VisitTable) -> [Bool] {
        var result = [Bool](repeating: false, count: table.hitCount)
        let reports = table.engagements
        guard !reports.isEmpty else { return result }
        withExtendedLifetime(table) {
            let starts = table.visitStarts.view, pages = table.pages.view, goals = table.goals.view
            // Reports are sorted by visit: each visit's pages scrolled deep enough, then its hits.
            var cursor = 0
            var deep = Set<UInt32>()
            while cursor < reports.count {
                let visit = Int(reports[cursor].visit)
                deep.removeAll(keepingCapacity: true)
                while cursor < reports.count && Int(reports[cursor].visit) == visit {
                    if Int(reports[cursor].scroll) >= depth { deep.insert(reports[cursor].page) }
                    cursor += 1
                }
                guard visit >= 0, !deep.isEmpty else { continue }
                for hit in Int(starts[visit])..<Int(starts[visit + 1])
                where goals[hit] == 0 && deep.contains(pages[hit]) {
                    result[hit] = true
                }
            }
        }
        return result
    }

    /// The hits at which each visit first completes `steps` (one mask per step, in hit order) in
    /// order, one step per hit at most.
    private func completions(of steps: [[Bool]], in table: VisitTable) -> [Bool] {
        var result = [Bool](repeating: false, count: table.hitCount)
        guard !steps.isEmpty else { return result }
        withExtendedLifetime(table.visitStarts) {
            let starts = table.visitStarts.view
            for visit in 0..<table.visitCount {
                var reached = 0
                for hit in Int(starts[visit])..<Int(starts[visit + 1]) where steps[reached][hit] {
                    reached += 1
                    if reached == steps.count {
                        result[hit] = true
                        break
                    }
                }
            }
        }
        return result
    }

    /// Whether `matching` holds for each value of a column (shifted down by `offset`; values
    /// below it never match), in tight loops over plain pointers.
    private static func lookUp(_ column: PackedColumn, _ matching: [Bool], count: Int, offset: UInt32 = 0) -> [Bool] {
        withExtendedLifetime(column) {
            let values = column.view
            return matching.withUnsafeBufferPointer { matching in
                [Bool](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for index in 0..<count {
                        let value = values[index]
                        buffer[index] = value >= offset && matching[Int(value &- offset)]
                    }
                    initialized = count
                }
            }
        }
    }

    private func combine(_ masks: [[Bool]], count: Int, all: Bool) -> [Bool] {
        guard var result = masks.first else { return [Bool](repeating: all, count: count) }
        result.withUnsafeMutableBufferPointer { result in
            for mask in masks.dropFirst() {
                mask.withUnsafeBufferPointer { mask in
                    if all {
                        for index in 0..<count { result[index] = result[index] && mask[index] }
                    } else {
                        for index in 0..<count { result[index] = result[index] || mask[index] }
                    }
                }
            }
        }
        return result
    }
}
