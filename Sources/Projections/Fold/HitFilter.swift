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
}

/// A ``HitFilter`` turned into lookup tables over a fold's key ids.
struct CompiledFilter {
    indirect enum Node {
        case all([Node])
        case any([Node])
        case not(Node)
        case leaf(Dimension, [Bool])
        case time(Range<Int64>)
        case imported(Bool)
    }

    let root: Node

    init(_ filter: HitFilter, spaces: [Interner]) {
        func compile(_ filter: HitFilter) -> Node {
            switch filter {
            case .all(let parts): .all(parts.map(compile))
            case .any(let parts): .any(parts.map(compile))
            case .not(let part): .not(compile(part))
            case .value(let dimension, let predicate):
                .leaf(dimension, spaces[KeySpace(dimension).rawValue].strings.map(predicate))
            case .time(let range): .time(range)
            case .imported(let imported): .imported(imported)
            }
        }
        root = compile(filter)
    }

    /// Whether a hit matches, given its visit's session keys and its own values.
    func matches(
        sessionKeys: UnsafeBufferPointer<UInt32>, keyBase: Int, row: FoldRow, extra: FoldExtra?
    ) -> Bool {
        func evaluate(_ node: Node) -> Bool {
            switch node {
            case .all(let parts): return parts.allSatisfy(evaluate)
            case .any(let parts): return parts.contains(where: evaluate)
            case .not(let part): return !evaluate(part)
            case .time(let range): return range.contains(row.time)
            case .imported(let imported): return row.imported == imported
            case .leaf(let dimension, let table):
                switch dimension {
                case .page: return table[Int(row.page)]
                case .hostname: return table[Int(row.hostname)]
                case .goal: return !row.isPageview && table[Int(row.goal)]
                case .propertyKey: return extra?.propertyKeys.contains { table[Int($0)] } ?? false
                case .property: return extra?.properties.contains { table[Int($0)] } ?? false
                case .currency: return extra.map { $0.currency != .max && table[Int($0.currency)] } ?? false
                default:
                    let slot = FoldState.sessionSlot[Int(dimension.rawValue)]
                    return table[Int(sessionKeys[keyBase + slot])]
                }
            }
        }
        return evaluate(root)
    }
}
