/// Decodes the payload of a block whose header and checksum have already been checked.
public enum BlockDecoder {
    /// Bound on dictionary sizes and string lengths, so corrupt input cannot make us allocate without limit.
    private static let maxStringLength = 1 << 20

    /// Decompresses and decodes a block payload. Throws a ``JournalError/Code/corrupt`` error (without
    /// file or offset; the caller adds them) if the payload does not match its header.
    public static func decode(header: BlockHeader, compressed: UnsafeRawBufferPointer) throws -> HitBlock {
        let size = Int(header.uncompressedLength)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size + payloadSlack, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        try decompress(header: header, compressed: compressed, dictionary: nil, into: buffer)
        return try decode(header: header, payload: UnsafeRawBufferPointer(rebasing: buffer[0..<size]))
    }

    /// Bytes a decompressed payload's buffer needs after the payload, so that bit unpacking can
    /// always load a whole UInt64.
    static let payloadSlack = 8

    /// Decodes a decompressed payload, which must be followed by ``payloadSlack`` readable bytes.
    static func decode(header: BlockHeader, payload: UnsafeRawBufferPointer) throws -> HitBlock {
        var reader = ByteReader(payload)
        do {
            return try decodeColumns(header: header, reader: &reader)
        } catch let error as ByteReader.OutOfBounds {
            throw JournalError(.corrupt, "block payload is malformed (\(error.what))")
        }
    }

    /// Decompresses a payload into `buffer` (at least its stated length); throws a corrupt error
    /// when it does not decompress to exactly that length.
    static func decompress(
        header: BlockHeader, compressed: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer?,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws {
        let size = Int(header.uncompressedLength)
        let ok =
            if let dictionary {
                LZ4.decompress(compressed, dictionary: dictionary, into: buffer, outputSize: size)
            } else {
                LZ4.decompress(compressed, into: buffer, outputSize: size)
            }
        guard ok else {
            throw JournalError(.corrupt, "block payload does not decompress to its stated \(size) bytes")
        }
    }

    private static func decodeColumns(header: BlockHeader, reader: inout ByteReader) throws -> HitBlock {
        let count = Int(header.recordCount)
        guard try reader.readVarint("record count") == UInt64(count) else {
            throw ByteReader.OutOfBounds(what: "record count differs from header")
        }
        var timestamps = [Int64]()
        timestamps.reserveCapacity(count)
        var previous = header.minTimestamp
        if header.layout.riceCodedTimes {
            for gap in try RiceCode.read(count: count, from: &reader) {
                let value = previous &+ (Int64(bitPattern: gap >> 1) ^ -Int64(bitPattern: gap & 1))
                guard value >= header.minTimestamp, value <= header.maxTimestamp else {
                    throw ByteReader.OutOfBounds(what: "timestamp outside the header's range")
                }
                timestamps.append(value)
                previous = value
            }
        } else {
            for _ in 0..<count {
                let value = previous &+ (try reader.readZigzag("timestamp"))
                guard value >= header.minTimestamp, value <= header.maxTimestamp else {
                    throw ByteReader.OutOfBounds(what: "timestamp outside the header's range")
                }
                timestamps.append(value)
                previous = value
            }
        }
        var strings = [StringColumn?](repeating: nil, count: StringField.allCases.count)
        let channels: [UInt8]
        let devices: [UInt8]
        let screens: [UInt8]
        let flags: [UInt8]
        let visitorIDs: [UInt64]
        switch header.layout {
        case .columns:
            for field in StringField.allCases {
                strings[field.rawValue] = try readColumn(&reader, count: count, field)
            }
            channels = try readSmallColumn(&reader, count: count, limit: UInt32(Channel.allCases.count))
            devices = try readSmallColumn(&reader, count: count, limit: UInt32(DeviceClass.allCases.count))
            screens = try readSmallColumn(&reader, count: count, limit: UInt32(ScreenClass.allCases.count))
            flags = try readSmallColumn(&reader, count: count, limit: UInt32(HitFlags.known) + 1)
            let visitorCount = try reader.readCount(limit: count, "visitor count")
            let dictionary = try readIDs(&reader, visitorCount)
            let visitorIndices = try BitPacking.unpack(count: count, limit: UInt32(visitorCount), from: &reader)
            visitorIDs = visitorIndices.map { dictionary[Int($0)] }
        case .visitorProfiles, .riceTimestamps, .profileReferences, .narrowVisitorIDs:
            for field in StringField.allCases where !StringField.profileFields.contains(field) {
                strings[field.rawValue] = try readColumn(&reader, count: count, field)
            }
            channels = try readSmallColumn(&reader, count: count, limit: UInt32(Channel.allCases.count))
            flags = try readSmallColumn(&reader, count: count, limit: UInt32(HitFlags.known) + 1)
            // Each profile once, then a profile per record; expanded here so that readers see the
            // same per-record columns as in the other layout.
            let profileCount = try reader.readCount(limit: count, "profile count")
            let ids =
                header.layout.narrowsVisitorIDs
                ? try readNarrowIDs(&reader, profileCount) : try readIDs(&reader, profileCount)
            var profileStrings: [(StringField, StringColumn)] = []
            for field in StringField.profileFields {
                profileStrings.append((field, try readColumn(&reader, count: profileCount, field)))
            }
            let profileDevices = try readSmallColumn(
                &reader, count: profileCount, limit: UInt32(DeviceClass.allCases.count))
            let profileScreens = try readSmallColumn(
                &reader, count: profileCount, limit: UInt32(ScreenClass.allCases.count))
            let profiles =
                header.layout.referencesProfiles
                ? try readReferences(&reader, count: count, profiles: profileCount)
                : try BitPacking.unpack(count: count, limit: UInt32(profileCount), from: &reader)
            for (field, column) in profileStrings {
                strings[field.rawValue] = StringColumn(
                    dictionary: column.dictionary,
                    indices: try expand(column.indices, by: profiles, profileCount: profileCount))
            }
            devices = try expand(profileDevices, by: profiles, profileCount: profileCount)
            screens = try expand(profileScreens, by: profiles, profileCount: profileCount)
            visitorIDs = try expand(ids, by: profiles, profileCount: profileCount)
        }

        let props = try readProperties(&reader, count: count)
        let revenue = try readRevenue(&reader, count: count)
        guard reader.remaining == 0 else { throw ByteReader.OutOfBounds(what: "\(reader.remaining) trailing bytes") }
        return HitBlock(
            header: header, timestamps: timestamps, strings: strings.map { $0! }, channels: channels, devices: devices,
            screens: screens, flags: flags, visitorIDs: visitorIDs, props: props, revenue: revenue)
    }

    /// The profile of each of `count` records from its references (`BlockEncoder`): every new
    /// profile must be the next one, every distance must point at one already seen, and exactly
    /// `profiles` must appear.
    /// Each record's value of a profile column: `values[profiles[i]]`. The profile indices were
    /// checked against `profileCount` where they were read (the references, or the packed indices
    /// with that limit), so only the column's length is checked here and the loop reads through
    /// plain pointers (it runs for a dozen columns of every block read).
    private static func expand<T>(_ values: [T], by profiles: [UInt32], profileCount: Int) throws -> [T] {
        guard values.count == profileCount else {
            throw ByteReader.OutOfBounds(what: "\(values.count) values for \(profileCount) profiles")
        }
        return values.withUnsafeBufferPointer { values in
            profiles.withUnsafeBufferPointer { profiles in
                [T](unsafeUninitializedCapacity: profiles.count) { output, initialized in
                    for index in 0..<profiles.count {
                        (output.baseAddress! + index).initialize(to: values[Int(profiles[index])])
                    }
                    initialized = profiles.count
                }
            }
        }
    }

    private static func readReferences(_ reader: inout ByteReader, count: Int, profiles: Int) throws -> [UInt32] {
        let flags = try reader.readBytes((count + 7) / 8, "profile flags")
        var news = 0
        for byte in flags { news += byte.nonzeroBitCount }
        guard news == profiles, count == 0 || flags[0] & 1 == 1 else {
            throw ByteReader.OutOfBounds(what: "profile flags")
        }
        let distances = try RiceCode.read(count: count - profiles, from: &reader)
        // Plain pointers: `news == profiles` above makes the flags' zero bits exactly the
        // distances' count, so `next` stays in range.
        var indices = [UInt32](repeating: 0, count: count)
        var newest = -1
        var next = 0
        var bad = false
        indices.withUnsafeMutableBufferPointer { indices in
            distances.withUnsafeBufferPointer { distances in
                for record in 0..<count {
                    if flags[record >> 3] >> UInt8(record & 7) & 1 == 1 {
                        newest += 1
                        indices[record] = UInt32(newest)
                    } else {
                        let distance = distances[next]
                        next += 1
                        bad = bad || distance > UInt64(newest)
                        indices[record] = UInt32(truncatingIfNeeded: newest &- Int(truncatingIfNeeded: distance))
                    }
                }
            }
        }
        guard !bad else { throw ByteReader.OutOfBounds(what: "profile reference") }
        return indices
    }

    /// A string column: its dictionary, then `count` packed indices into it.
    private static func readColumn(_ reader: inout ByteReader, count: Int, _ field: StringField) throws
        -> StringColumn
    {
        let dictionary = try readDictionary(&reader, "\(field) dictionary")
        let indices = try BitPacking.unpack(count: count, limit: UInt32(dictionary.count), from: &reader)
        return StringColumn(dictionary: dictionary, indices: indices)
    }

    /// `count` 64-bit visitor ids, cut to ``Hit/visitorIDBits`` like every id read (journals
    /// written before ids were cut keep whole hashes; cut, they match what the edge makes now).
    private static func readIDs(_ reader: inout ByteReader, _ count: Int) throws -> [UInt64] {
        let raw = try reader.readBytes(count * 8, "visitor ids")
        return (0..<count).map {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) & Hit.visitorIDMask
        }
    }

    /// `count` visitor ids of a width byte's bytes each (layout 4).
    private static func readNarrowIDs(_ reader: inout ByteReader, _ count: Int) throws -> [UInt64] {
        let width = Int(try reader.read(UInt8.self, "visitor id width"))
        guard width <= 8 else { throw ByteReader.OutOfBounds(what: "visitor id width \(width)") }
        let raw = try reader.readBytes(count * width, "visitor ids")
        return (0..<count).map { index in
            var id: UInt64 = 0
            for byte in 0..<width { id |= UInt64(raw[index * width + byte]) << (8 * byte) }
            return id & Hit.visitorIDMask
        }
    }

    /// `what` names the column in an error only: built per column of every block, a description
    /// would cost more than decoding a small block's dictionaries.
    private static func readDictionary(_ reader: inout ByteReader, _ what: @autoclosure () -> String) throws
        -> [String]
    {
        let count = try reader.readCount(limit: reader.remaining, what())
        var values = [String]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try reader.readString(limit: maxStringLength, what())) }
        return values
    }

    private static func readSmallColumn(_ reader: inout ByteReader, count: Int, limit: UInt32) throws -> [UInt8] {
        let wide = try BitPacking.unpack(count: count, limit: limit, from: &reader)
        return wide.withUnsafeBufferPointer { wide in
            [UInt8](unsafeUninitializedCapacity: wide.count) { output, initialized in
                for index in 0..<wide.count { output[index] = UInt8(truncatingIfNeeded: wide[index]) }
                initialized = wide.count
            }
        }
    }

    private static func readSparseRecord(_ reader: inout ByteReader, previous: Int32?, count: Int) throws -> Int32 {
        let delta = try reader.readCount(limit: count, "sparse record delta")
        let record = Int(previous ?? 0) + delta
        guard record < count, previous == nil || delta > 0 else {
            throw ByteReader.OutOfBounds(what: "sparse record index")
        }
        return Int32(record)
    }

    private static func readProperties(_ reader: inout ByteReader, count: Int) throws -> SparseProperties {
        let keyDictionary = try readDictionary(&reader, "property keys")
        let valueDictionary = try readDictionary(&reader, "property values")
        let entries = try reader.readCount(limit: count, "property record count")
        var records = [Int32](), starts = [Int32](), keys = [UInt32](), values = [UInt32]()
        records.reserveCapacity(entries)
        starts.reserveCapacity(entries + 1)
        for _ in 0..<entries {
            records.append(try readSparseRecord(&reader, previous: records.last, count: count))
            starts.append(Int32(keys.count))
            let pairs = try reader.readCount(limit: reader.remaining, "property count")
            for _ in 0..<pairs {
                keys.append(UInt32(try reader.readCount(limit: keyDictionary.count - 1, "property key")))
                values.append(UInt32(try reader.readCount(limit: valueDictionary.count - 1, "property value")))
            }
        }
        starts.append(Int32(keys.count))
        return SparseProperties(
            records: records, starts: starts, keys: keys, values: values, keyDictionary: keyDictionary,
            valueDictionary: valueDictionary)
    }

    private static func readRevenue(_ reader: inout ByteReader, count: Int) throws -> SparseRevenue {
        let currencyDictionary = try readDictionary(&reader, "currencies")
        let entries = try reader.readCount(limit: count, "revenue record count")
        var records = [Int32](), amounts = [Int64](), currencies = [UInt32]()
        for _ in 0..<entries {
            records.append(try readSparseRecord(&reader, previous: records.last, count: count))
            amounts.append(try reader.readZigzag("revenue amount"))
            currencies.append(UInt32(try reader.readCount(limit: currencyDictionary.count - 1, "currency")))
        }
        return SparseRevenue(
            records: records, amounts: amounts, currencies: currencies, currencyDictionary: currencyDictionary)
    }
}
