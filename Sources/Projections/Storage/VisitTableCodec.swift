import Journal

/// The columns of a stored ``VisitTable``. Every column but the extras and engagements is, once
/// read (``StoredColumn``), a varint count, a width byte and the values bit-packed with that many
/// bits each (least significant bit first), so a reader uses them in place; visits and visitors
/// are running starts.
enum VisitTableCodec {
    static func encode(_ table: VisitTable) -> [(VisitColumn, [UInt8])] {
        var columns: [(VisitColumn, [UInt8])] = []
        func packed(_ column: VisitColumn, _ values: PackedColumn, starts: Bool = false) {
            columns.append((column, StoredColumn.encode(values, starts: starts)))
        }
        packed(.visitors, table.visitorStarts, starts: true)
        packed(.visits, table.visitStarts, starts: true)
        packed(.bounces, table.bounces)
        packed(.durations, table.durations)
        packed(.goals, table.goals)
        packed(.pages, table.pages)
        packed(.hostnames, table.hostnames)
        packed(.hours, table.hours)
        packed(.flags, table.flags)
        var extras = ByteWriter(capacity: 64 + table.extras.count * 8)
        extras.append(varint: UInt64(table.extras.count))
        var previous = 0
        let items = table.extras
        for (extra, hit) in table.extraHits.enumerated() {
            extras.append(varint: UInt64(Int(hit) - previous))
            previous = Int(hit)
            let pairs = items.pairs(of: extra)
            extras.append(varint: UInt64(pairs.count))
            for pair in pairs {
                extras.append(varint: UInt64(items.propertyKeys[pair]))
                extras.append(varint: UInt64(items.properties[pair]))
            }
            extras.append(zigzag: items.revenues[extra])
            let currency = items.currencies[extra]
            extras.append(varint: currency == .max ? 0 : UInt64(currency) + 1)
        }
        columns.append((.extras, extras.bytes))
        var engagements = ByteWriter(capacity: 16 + table.engagements.count * 8)
        engagements.append(varint: UInt64(table.engagements.count))
        // Visits + 1 (a report of no visit is -1), as rising deltas.
        var previousVisit: Int32 = 0
        for report in table.engagements {
            engagements.append(varint: UInt64(report.visit + 1 - previousVisit))
            previousVisit = report.visit + 1
            engagements.append(varint: UInt64(report.page))
            engagements.append(varint: UInt64(report.hostname))
            engagements.append(byte: report.hour)
            engagements.append(varint: UInt64(report.seconds))
            engagements.append(byte: report.scroll)
        }
        columns.append((.engagements, engagements.bytes))
        for slot in VisitColumn.sessionSlots {
            if let source = VisitColumn.derivedSlots[slot],
                let map = keyMap(
                    table.sessionKeys[slot], from: table.sessionKeys[source],
                    keys: table.keys[KeySpace(Dimension.sessionLevel[source]).rawValue].count)
            {
                packed(.sessionMap(slot), PackedColumn(map))
            } else {
                packed(.session(slot), table.sessionKeys[slot])
            }
        }
        return columns
    }

    /// For each of `keys` keys of `source`, the value of `column` at the visits with that key, if
    /// every visit with the same `source` key has the same value (a key no visit has gets 0);
    /// nil when some do not, or when the columns do not line up.
    static func keyMap(_ column: PackedColumn, from source: PackedColumn, keys: Int) -> [UInt32]? {
        guard column.count == source.count, column.count > 0 else { return nil }
        let unset = UInt32.max
        var map = [UInt32](repeating: unset, count: keys)
        let consistent = withExtendedLifetime((column, source)) {
            map.withUnsafeMutableBufferPointer { map in
                let values = column.view, sources = source.view
                for visit in 0..<column.count {
                    let key = Int(sources[visit])
                    guard key < keys else { return false }
                    let value = values[visit]
                    if map[key] == unset {
                        map[key] = value
                    } else if map[key] != value {
                        return false
                    }
                }
                return true
            }
        }
        guard consistent else { return nil }
        return map.map { $0 == unset ? 0 : $0 }
    }

    /// The plain stored form (varint count, width byte, packed values) of the column that
    /// `map` (a ``VisitColumn/sessionMap(_:)`` section) and `source` (the column of the slot it
    /// follows, both plain) make: each visit's value is the map's entry at its source key.
    static func derive(_ map: OwnedBytes, from source: OwnedBytes) throws -> OwnedBytes {
        let keys = try packed(map, count: nil, limit: .max)
        let sources = try packed(source, count: nil, limit: .max)
        let count = sources.count
        let (largestKey, largest) = withExtendedLifetime((keys, sources)) {
            var largestKey: UInt32 = 0
            for visit in 0..<count { largestKey = max(largestKey, sources.view[visit]) }
            var largest: UInt32 = 0
            for key in 0..<keys.count { largest = max(largest, keys.view[key]) }
            return (largestKey, largest)
        }
        guard count == 0 || Int(largestKey) < keys.count else {
            throw ByteReader.OutOfBounds(what: "key map shorter than its keys")
        }
        // Packed as they are looked up, in one pass and without a column of them in between, with
        // the width the map's largest entry needs.
        let width = largest == 0 ? 0 : UInt32.bitWidth - largest.leadingZeroBitCount
        let (plain, out) = StoredColumn.plainSection(count: count, width: width)
        withExtendedLifetime((keys, sources)) {
            let map = keys.view, sourceView = sources.view
            // Every source key is below the map's count (checked above).
            PackedColumn.pack(count: count, width: width, into: out) { map[Int(sourceView[$0])] }
        }
        return plain
    }

    /// A packed column of exactly `count` values (nil: any count) read in place from `section`;
    /// values above `limit` read as `limit`.
    static func packed(_ section: OwnedBytes, count: Int?, limit: UInt32) throws -> PackedColumn {
        var reader = ByteReader(section.buffer)
        let stored = try reader.readCount(limit: Int(Int32.max), "count")
        guard count == nil || stored == count else { throw ByteReader.OutOfBounds(what: "column length") }
        let width = Int(try reader.read(UInt8.self, "bit width"))
        guard width <= 32 else { throw ByteReader.OutOfBounds(what: "bit width \(width)") }
        guard reader.remaining >= PackedColumn.byteCount(count: stored, width: width) else {
            throw ByteReader.OutOfBounds(what: "packed values")
        }
        return PackedColumn(storage: section, offset: reader.position, count: stored, width: width, limit: limit)
    }

    /// Running starts (`[0, …, total]`), read in place; ``StoredColumn/plain(_:starts:)`` checked
    /// that they rise.
    static func starts(_ section: OwnedBytes, count: Int?) throws -> PackedColumn {
        let column = try packed(section, count: count.map { $0 + 1 }, limit: .max)
        guard column.count >= 1, column[0] == 0 else { throw ByteReader.OutOfBounds(what: "starts") }
        return column
    }

    /// Reads the engagement reports of a table with `visits` visits whose page and host name key
    /// spaces hold `pages` and `hostnames` strings.
    static func readEngagements(_ section: OwnedBytes, visits: Int, pages: Int, hostnames: Int) throws
        -> [Engagement]
    {
        var reader = ByteReader(section.buffer)
        let count = try reader.readCount(limit: reader.remaining, "engagement count")
        var reports: [Engagement] = []
        reports.reserveCapacity(count)
        var visit = -1
        for _ in 0..<count {
            visit += try reader.readCount(limit: visits + 1, "visit delta")
            let page = try reader.readVarint(), hostname = try reader.readVarint()
            let hour = try reader.read(UInt8.self, "hour")
            let seconds = try reader.readVarint()
            let scroll = try reader.read(UInt8.self, "scroll")
            guard visit < visits, page < pages, hostname < hostnames, hour < 24, seconds <= UInt32.max, scroll <= 100
            else { throw ByteReader.OutOfBounds(what: "engagement report") }
            reports.append(
                Engagement(
                    visit: Int32(visit), page: UInt32(page), hostname: UInt32(hostname), hour: hour,
                    seconds: UInt32(seconds), scroll: scroll))
        }
        return reports
    }

    /// Reads the sparse extras column: the hits that carry some, ascending, and their items.
    static func readExtras(_ section: OwnedBytes, hits: Int, keys: [[String]]) throws -> ([Int32], FoldExtras) {
        let propertyKeys = UInt64(keys[KeySpace.propertyKey.rawValue].count)
        let properties = UInt64(keys[KeySpace.property.rawValue].count)
        let currencies = UInt64(keys[KeySpace.currency.rawValue].count)
        var reader = ByteReader(section.buffer)
        let count = try reader.readCount(limit: hits, "extras count")
        var carrying: [Int32] = []
        var extras = FoldExtras()
        carrying.reserveCapacity(count)
        var hit = 0
        for entry in 0..<count {
            let delta = try reader.readCount(limit: hits, "hit delta")
            hit += delta
            guard hit < hits, entry == 0 || delta > 0 else { throw ByteReader.OutOfBounds(what: "extras hit") }
            let pairs = try reader.readCount(limit: 1 << 16, "property count")
            for _ in 0..<pairs {
                let key = try reader.readVarint()
                let property = try reader.readVarint()
                guard key < propertyKeys, property < properties else {
                    throw ByteReader.OutOfBounds(what: "property id")
                }
                extras.appendPair(key: UInt32(key), property: UInt32(property))
            }
            let revenue = try reader.readZigzag()
            let currency = try reader.readVarint()
            guard currency <= currencies else { throw ByteReader.OutOfBounds(what: "currency id") }
            carrying.append(Int32(hit))
            extras.finish(revenue: revenue, currency: currency == 0 ? .max : UInt32(currency - 1))
        }
        return (carrying, extras)
    }
}
