/// Gives each distinct string of a key space a dense id, in first-seen order.
struct Interner {
    private(set) var strings: [String] = []
    private var ids: [String: UInt32] = [:]

    /// The id of `string`, assigning the next one if it is new.
    mutating func intern(_ string: String) -> UInt32 {
        if let id = ids[string] { return id }
        let id = UInt32(strings.count)
        ids[string] = id
        strings.append(string)
        return id
    }

    var count: Int { strings.count }
}
