import Journal

/// The records of one block that belong to one site-day.
public struct DaySlice: Sendable {
    /// The decoded block.
    public let block: HitBlock
    /// Indices of the records in `block`, ascending.
    public let records: [Int32]

    /// A slice.
    public init(block: HitBlock, records: [Int32]) {
        self.block = block
        self.records = records
    }
}
