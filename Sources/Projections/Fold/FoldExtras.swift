/// The properties and revenue of the few hits that carry them, in flat columns: one entry per
/// extra for revenue and currency, and one run of (key, property) pairs per extra.
///
/// Flat rather than a struct of two arrays per extra: a day has hundreds of thousands of extras,
/// and an array each cost an allocation, a free and reference counting whenever one was read.
struct FoldExtras: Sendable, Equatable {
    /// Where each extra's pairs start in ``propertyKeys`` and ``properties``, then their end.
    private(set) var starts: [UInt32] = [0]
    /// Property key ids of each extra's pairs.
    private(set) var propertyKeys: [UInt32] = []
    /// Property (key and value) ids of each extra's pairs.
    private(set) var properties: [UInt32] = []
    /// Revenue amounts (0 without revenue).
    private(set) var revenues: [Int64] = []
    /// Currency key ids, `UInt32.max` without revenue.
    private(set) var currencies: [UInt32] = []

    var count: Int { revenues.count }
    var isEmpty: Bool { revenues.isEmpty }

    /// The positions of extra `index`'s pairs in ``propertyKeys`` and ``properties``.
    @inline(__always)
    func pairs(of index: Int) -> Range<Int> { Int(starts[index])..<Int(starts[index + 1]) }

    /// Adds a pair to the extra being built (the one the next ``finish(revenue:currency:)`` ends).
    mutating func appendPair(key: UInt32, property: UInt32) {
        propertyKeys.append(key)
        properties.append(property)
    }

    /// Ends the extra being built, with its revenue; returns its index.
    @discardableResult
    mutating func finish(revenue: Int64 = 0, currency: UInt32 = .max) -> Int {
        starts.append(UInt32(propertyKeys.count))
        revenues.append(revenue)
        currencies.append(currency)
        return revenues.count - 1
    }

    /// The extras at `order`, in that order.
    func reordered(_ order: [Int32]) -> FoldExtras {
        var result = FoldExtras()
        result.revenues.reserveCapacity(order.count)
        result.currencies.reserveCapacity(order.count)
        result.starts.reserveCapacity(order.count + 1)
        for index in order {
            let extra = Int(index)
            result.propertyKeys.append(contentsOf: propertyKeys[pairs(of: extra)])
            result.properties.append(contentsOf: properties[pairs(of: extra)])
            result.finish(revenue: revenues[extra], currency: currencies[extra])
        }
        return result
    }

    /// Renumbers every key id through `propertyKey`, `property` and `currency` (old id → new id).
    mutating func renumber(propertyKey: [UInt32], property: [UInt32], currency: [UInt32]) {
        for index in propertyKeys.indices { propertyKeys[index] = propertyKey[Int(propertyKeys[index])] }
        for index in properties.indices { properties[index] = property[Int(properties[index])] }
        for index in currencies.indices where currencies[index] != .max {
            currencies[index] = currency[Int(currencies[index])]
        }
    }
}
