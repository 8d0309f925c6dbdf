/// One decoded block, kept column by column.
///
/// Scans and folds read the columns directly (an index per record into a small per-block
/// dictionary), which is what makes them fast; ``subscript(_:)`` puts a whole ``Hit`` together
/// when one is needed, as `journal dump` does.
public struct HitBlock: Sendable {
    /// The block's header.
    public let header: BlockHeader
    /// Record timestamps, ms since epoch UTC.
    public let timestamps: [Int64]
    /// One column per ``StringField``, indexed by its raw value.
    public let strings: [StringColumn]
    /// ``Channel`` raw values.
    public let channels: [UInt8]
    /// ``DeviceClass`` raw values.
    public let devices: [UInt8]
    /// ``ScreenClass`` raw values.
    public let screens: [UInt8]
    /// ``HitFlags`` raw values.
    public let flags: [UInt8]
    /// Daily visitor ids.
    public let visitorIDs: [UInt64]
    /// Custom properties of the records that have any.
    public let props: SparseProperties
    /// Revenue of the records that have any.
    public let revenue: SparseRevenue

    /// Number of records.
    public var count: Int { timestamps.count }

    /// The column of one string field.
    @inline(__always)
    public func column(_ field: StringField) -> StringColumn { strings[field.rawValue] }

    /// The sequence number of record `index`.
    public func sequence(at index: Int) -> UInt64 { header.firstSequence + UInt64(index) }

    /// Puts record `index` together as a ``Hit``.
    public subscript(index: Int) -> Hit {
        var hit = Hit(
            timestamp: timestamps[index], site: "",
            channel: Channel(rawValue: channels[index]) ?? .direct,
            device: DeviceClass(rawValue: devices[index]) ?? .unknown,
            screen: ScreenClass(rawValue: screens[index]) ?? .unknown,
            visitorID: visitorIDs[index], props: props.properties(of: index), revenue: revenue.revenue(of: index),
            flags: HitFlags(rawValue: flags[index]))
        for field in StringField.allCases { hit[field] = strings[field.rawValue][index] }
        return hit
    }

    init(
        header: BlockHeader, timestamps: [Int64], strings: [StringColumn], channels: [UInt8], devices: [UInt8],
        screens: [UInt8], flags: [UInt8], visitorIDs: [UInt64], props: SparseProperties, revenue: SparseRevenue
    ) {
        self.header = header
        self.timestamps = timestamps
        self.strings = strings
        self.channels = channels
        self.devices = devices
        self.screens = screens
        self.flags = flags
        self.visitorIDs = visitorIDs
        self.props = props
        self.revenue = revenue
    }
}

/// A dictionary-coded string column: the distinct values and an index per record.
public struct StringColumn: Sendable {
    /// The distinct values, in first-seen order.
    public let dictionary: [String]
    /// For each record, its value's index in ``dictionary``.
    public let indices: [UInt32]

    /// The value of record `index`.
    @inline(__always)
    public subscript(index: Int) -> String { dictionary[Int(indices[index])] }
}

/// Custom properties of the few records that carry any, stored sparsely.
public struct SparseProperties: Sendable {
    /// Record indices that have properties, ascending.
    public let records: [Int32]
    /// For each entry of ``records``, where its pairs start in ``keys``/``values``; one extra end entry.
    public let starts: [Int32]
    /// Key index of each pair into ``keyDictionary``.
    public let keys: [UInt32]
    /// Value index of each pair into ``valueDictionary``.
    public let values: [UInt32]
    /// Distinct keys.
    public let keyDictionary: [String]
    /// Distinct values.
    public let valueDictionary: [String]

    /// The properties of record `index` (empty when it has none).
    public func properties(of index: Int) -> [Property] {
        guard let slot = binarySearch(records, Int32(index)) else { return [] }
        return (Int(starts[slot])..<Int(starts[slot + 1])).map {
            Property(keyDictionary[Int(keys[$0])], valueDictionary[Int(values[$0])])
        }
    }
}

/// Revenue of the few records that carry any, stored sparsely.
public struct SparseRevenue: Sendable {
    /// Record indices that have revenue, ascending.
    public let records: [Int32]
    /// Amount in minor units, one per entry of ``records``.
    public let amounts: [Int64]
    /// Currency index into ``currencyDictionary``, one per entry of ``records``.
    public let currencies: [UInt32]
    /// Distinct currency codes.
    public let currencyDictionary: [String]

    /// The revenue of record `index`, if it has any.
    public func revenue(of index: Int) -> Revenue? {
        guard let slot = binarySearch(records, Int32(index)) else { return nil }
        return Revenue(amount: amounts[slot], currency: currencyDictionary[Int(currencies[slot])])
    }
}

/// The position of `value` in the ascending array `sorted`, if present.
func binarySearch(_ sorted: [Int32], _ value: Int32) -> Int? {
    var low = 0
    var high = sorted.count
    while low < high {
        let mid = (low + high) / 2
        if sorted[mid] < value { low = mid + 1 } else { high = mid }
    }
    return low < sorted.count && sorted[low] == value ? low : nil
}
