import Journal

/// Reads the sections of one day file as a question needs them: the header and section table on
/// opening, then each section (checked against its CRC-32C and decompressed) on first use.
///
/// Not `Sendable`: one reader per file and thread.
public final class DayFileReader {
    private struct Entry {
        var codec: UInt8 = 0
        var offset: Int64 = -1
        var stored = 0
        var raw = 0
        var checksum: UInt32 = 0
    }

    /// The file's path (for errors).
    public let path: String
    private let file: ReadOnlyFile?
    private let bytes: [UInt8]?
    /// Entries by section id: `(id >> 8) * 256 + (id & 0xFF)` for the four section families.
    private var entries = [Entry](repeating: Entry(), count: 4 * 256)
    private var keyCache: [Int: [String]] = [:]
    private let cache: SectionCache?

    /// Opens the day file at `path` and reads its section table; sections are looked up in and
    /// added to `cache`, when given.
    public convenience init(path: String, cache: SectionCache? = nil) throws {
        let file: ReadOnlyFile
        do {
            file = try ReadOnlyFile(path: path)
        } catch let error as JournalError {
            throw ProjectionError(.io, error.message, file: path, hint: "Check the permissions of the rollup folder")
        }
        let head = try Self.io(path) { try file.read(count: Int(min(file.size, 4096)), at: 0) }
        try self.init(path: path, file: file, head: head, bytes: nil, cache: cache)
    }

    /// Reads a day file held in memory.
    public convenience init(bytes: [UInt8], path: String) throws {
        try self.init(path: path, file: nil, head: bytes, bytes: bytes, cache: nil)
    }

    private init(path: String, file: ReadOnlyFile?, head: [UInt8], bytes: [UInt8]?, cache: SectionCache?) throws {
        self.path = path
        self.cache = file == nil ? nil : cache
        self.file = file
        self.bytes = bytes
        let size = file?.size ?? Int64(bytes?.count ?? 0)
        guard head.count >= RollupCodec.headerSize, Array(head[0..<8]) == RollupCodec.magic else {
            throw corrupt("not a rollup file (wrong magic bytes or too short)", 0)
        }
        let (version, count, checksum) = head.withUnsafeBytes { raw in
            (
                UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)),
                Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))),
                UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            )
        }
        guard version == RollupCodec.formatVersion else {
            throw ProjectionError(
                .staleFormat, "rollup file has format version \(version); this build uses \(RollupCodec.formatVersion)",
                file: path, offset: 8, hint: "Run `infinity rebuild` to recompute the rollups in the current format")
        }
        let tableEnd = RollupCodec.headerSize + count * RollupCodec.entrySize
        guard count <= 1024, Int64(tableEnd) <= size else { throw corrupt("its section table is cut off", 12) }
        var table = head
        if head.count < tableEnd, let file { table = try Self.io(path) { try file.read(count: tableEnd, at: 0) } }
        var offset = Int64(tableEnd)
        let valid = table.withUnsafeBytes { raw -> Bool in
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[RollupCodec.headerSize..<tableEnd])) == checksum
            else { return false }
            for index in 0..<count {
                let at = RollupCodec.headerSize + index * RollupCodec.entrySize
                let id = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
                var entry = Entry()
                entry.codec = raw[at + 2]
                entry.stored = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)))
                entry.raw = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self)))
                entry.checksum = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self))
                entry.offset = offset
                let slot = (id >> 8) * 256 + (id & 0xFF)
                guard entry.codec <= 1, entry.raw <= RollupCodec.maxSection,
                    entry.codec == 1 || entry.stored == entry.raw,
                    id >> 8 < 4, entries[slot].offset < 0
                else { return false }
                entries[slot] = entry
                offset += Int64(entry.stored)
            }
            return true
        }
        guard valid else { throw corrupt("its section table is damaged", 12) }
        guard offset == size else { throw corrupt("its length does not match its section table (cut off?)", 12) }
    }

    private func corrupt(_ what: String, _ offset: Int64?) -> ProjectionError {
        ProjectionError(
            .corrupt, "rollup file is damaged: \(what)", file: path, offset: offset,
            hint: "Run `infinity rebuild` to recompute the rollups from the journal")
    }

    private static func io<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as JournalError {
            throw ProjectionError(.io, error.message, file: path, offset: error.offset)
        }
    }

    /// The decoded bytes of a section. `verify` runs once per section read from the file, before
    /// it is cached, so checks that cost a pass over a column are not repeated on every question
    /// and a section that fails them is never cached.
    ///
    /// A session column the file does not store but derives (``VisitColumn/sessionMap(_:)``) is
    /// made from its map and its source column here, and cached as if it were stored.
    func section(_ id: UInt16) throws -> OwnedBytes {
        guard let cache, let file else { return try readOrDerive(id) }
        let key = SectionCache.Key(file: file.identity, section: id)
        if let bytes = cache.bytes(for: key) { return bytes }
        let bytes = try readOrDerive(id)
        cache.insert(bytes, for: key)
        return bytes
    }

    /// Whether the file stores section `id`.
    func contains(_ id: UInt16) -> Bool { entries[Int(id >> 8) * 256 + Int(id & 0xFF)].offset >= 0 }

    private func readOrDerive(_ id: UInt16) throws -> OwnedBytes {
        guard !contains(id), let derived = Self.derivation(of: id) else { return try read(id) }
        let mapID = DaySection.column(.sessionMap(derived.slot))
        guard contains(mapID) else { return try read(id) }  // missing: reported as such
        let map = try section(mapID)
        let sources = try section(DaySection.column(.session(derived.source)))
        do {
            return try VisitTableCodec.derive(map, from: sources)
        } catch let error as ByteReader.OutOfBounds {
            throw corrupt("visit column \(mapID & 0xFF) is malformed (\(error.what))", nil)
        }
    }

    /// The slot of a derived session column's section id, and the slot it follows.
    private static func derivation(of id: UInt16) -> (slot: Int, source: Int)? {
        for (slot, source) in VisitColumn.derivedSlots where DaySection.column(.session(slot)) == id {
            return (slot, source)
        }
        return nil
    }

    /// Reads, checks and decompresses a section.
    private func read(_ id: UInt16) throws -> OwnedBytes {
        let entry = entries[Int(id >> 8) * 256 + Int(id & 0xFF)]
        guard entry.offset >= 0 else { throw corrupt("section \(id) is missing", nil) }
        let stored = OwnedBytes(count: entry.stored)
        if let bytes {
            bytes.withUnsafeBytes {
                stored.pointer.copyMemory(from: $0.baseAddress! + Int(entry.offset), byteCount: entry.stored)
            }
        } else if let file {
            let done = try Self.io(path) {
                try file.read(
                    into: UnsafeMutableRawBufferPointer(start: stored.pointer, count: entry.stored), at: entry.offset)
            }
            guard done == entry.stored else { throw corrupt("section \(id) is cut off", entry.offset) }
        }
        guard CRC32C.checksum(stored.buffer) == entry.checksum else {
            throw corrupt("section \(id) checksum mismatch", entry.offset)
        }
        var output = stored
        if entry.codec == 1 {
            output = OwnedBytes(count: entry.raw)
            let ok = LZ4.decompress(
                stored.buffer, into: UnsafeMutableRawBufferPointer(start: output.pointer, count: entry.raw),
                outputSize: entry.raw)
            guard ok else { throw corrupt("section \(id) does not decompress", entry.offset) }
        }
        guard DaySection.isPackedColumn(id) else { return output }
        do {
            let starts = id == DaySection.column(.visitors) || id == DaySection.column(.visits)
            return try StoredColumn.plain(output, starts: starts)
        } catch let error as ByteReader.OutOfBounds {
            throw corrupt("visit column \(id & 0xFF) is malformed (\(error.what))", entry.offset)
        }
    }

    /// Runs `body` over a section's bytes, reporting any overrun as damage.
    func parse<T>(_ id: UInt16, _ body: (inout ByteReader) throws -> T) throws -> T {
        let bytes = try section(id)
        do {
            var reader = ByteReader(bytes.buffer)
            return try body(&reader)
        } catch let error as ByteReader.OutOfBounds {
            throw corrupt("section \(id) is malformed (\(error.what))", nil)
        }
    }

    /// The sorted strings of a key space.
    func keys(_ space: KeySpace) throws -> [String] {
        if let cached = keyCache[space.rawValue] { return cached }
        let strings = try parse(DaySection.keys(space)) { reader in
            let count = try reader.readCount(limit: reader.remaining, "key count")
            var strings: [String] = []
            strings.reserveCapacity(count)
            for _ in 0..<count { strings.append(try reader.readString(limit: reader.remaining)) }
            return strings
        }
        keyCache[space.rawValue] = strings
        return strings
    }

    /// The rollup: the totals, and every dimension's whole-day cells (with `only`, just those
    /// dimensions'; the others are left empty).
    public func rollup(only: Set<Dimension>? = nil) throws -> DayRollup {
        var rollup = try parse(DaySection.meta) { reader in
            let site = try reader.readString(limit: 1 << 16)
            let day = try reader.readZigzag()
            let position = try reader.readVarint()
            var rollup = DayRollup(site: site, day: day, position: position)
            rollup.records = Int64(try reader.readVarint())
            for hour in 0..<rollup.totals.count { rollup.totals[hour] = try RollupCodec.read(&reader) }
            return rollup
        }
        for dimension in Dimension.allCases where only?.contains(dimension) ?? true {
            let keys = try keys(KeySpace(dimension))
            let rows = try parse(DaySection.cells(dimension)) { reader in
                let count = try reader.readCount(limit: reader.remaining, "row count")
                var rows: [DimensionTable.Row] = []
                rows.reserveCapacity(count)
                var key: UInt32 = 0
                for _ in 0..<count {
                    key += UInt32(truncatingIfNeeded: try reader.readVarint())
                    guard Int(key) < keys.count else { throw ByteReader.OutOfBounds(what: "row key") }
                    let metrics = try RollupCodec.read(&reader)
                    rows.append(DimensionTable.Row(key: key, hour: UInt8(DayRollup.wholeDay), metrics: metrics))
                }
                return rows
            }
            rollup[dimension] = DimensionTable(keys: keys, rows: rows)
        }
        return rollup
    }

    /// The visit table with the given columns (the structure is always read).
    public func visits(_ columns: VisitTable.Columns) throws -> VisitTable {
        var table = VisitTable()
        func column<T>(_ column: VisitColumn, _ body: (OwnedBytes) throws -> T) throws -> T {
            do {
                return try body(try section(DaySection.column(column)))
            } catch let error as ByteReader.OutOfBounds {
                throw corrupt("visit column \(column.id) is malformed (\(error.what))", nil)
            }
        }
        // Structure: visitors → visits → hits.
        table.visitorStarts = try column(.visitors) { try VisitTableCodec.starts($0, count: nil) }
        let visits = Int(table.visitorStarts[table.visitorStarts.count - 1])
        table.visitStarts = try column(.visits) { try VisitTableCodec.starts($0, count: visits) }
        let hits = Int(table.visitStarts[visits])
        table.hitCount = hits
        table.bounces = try column(.bounces) { try VisitTableCodec.packed($0, count: visits, limit: 1) }
        table.durations = try column(.durations) { try VisitTableCodec.packed($0, count: visits, limit: .max) }
        let goalKeys = try keys(.goal)
        table.keys[KeySpace.goal.rawValue] = goalKeys
        table.goals = try column(.goals) { try VisitTableCodec.packed($0, count: hits, limit: UInt32(goalKeys.count)) }
        func ids(_ name: VisitColumn, _ space: KeySpace, count: Int) throws -> PackedColumn {
            let strings = try keys(space)
            table.keys[space.rawValue] = strings
            return try column(name) {
                try VisitTableCodec.packed($0, count: count, limit: UInt32(max(strings.count, 1) - 1))
            }
        }
        if columns.contains(.pages) { table.pages = try ids(.pages, .page, count: hits) }
        if columns.contains(.entryAndExit) { deriveEntryAndExit(&table) }
        if columns.contains(.hostnames) { table.hostnames = try ids(.hostnames, .hostname, count: hits) }
        if columns.contains(.hours) {
            table.hours = try column(.hours) { try VisitTableCodec.packed($0, count: hits, limit: 23) }
        }
        if columns.contains(.flags) {
            table.flags = try column(.flags) { try VisitTableCodec.packed($0, count: hits, limit: 3) }
        }
        if columns.contains(.extras) {
            for space in [KeySpace.propertyKey, .property, .currency] { table.keys[space.rawValue] = try keys(space) }
            (table.extraHits, table.extras) = try column(.extras) {
                try VisitTableCodec.readExtras($0, hits: hits, keys: table.keys)
            }
        }
        if columns.contains(.engagements) {
            let section = try self.section(DaySection.column(.engagements))
            // Most days without engagement reports: their keys need not be read.
            if section.buffer.first.map({ $0 != 0 }) ?? false {
                let pages = try keys(.page), hostnames = try keys(.hostname)
                table.keys[KeySpace.page.rawValue] = pages
                table.keys[KeySpace.hostname.rawValue] = hostnames
                table.engagements = try column(.engagements) {
                    try VisitTableCodec.readEngagements(
                        $0, visits: visits, pages: pages.count, hostnames: hostnames.count)
                }
            }
        }
        for slot in VisitColumn.sessionSlots where columns.contains(.session(Dimension.sessionLevel[slot])) {
            table.sessionKeys[slot] = try ids(.session(slot), KeySpace(Dimension.sessionLevel[slot]), count: visits)
        }
        return table
    }

    /// Entry page: the visit's first page view (its first hit without one); exit page: its last.
    private func deriveEntryAndExit(_ table: inout VisitTable) {
        var entries = [UInt32](repeating: 0, count: table.visitCount)
        var exits = entries
        let goals = table.goals, pages = table.pages, starts = table.visitStarts
        for visit in 0..<table.visitCount {
            let range = Int(starts[visit])..<Int(starts[visit + 1])
            var entry = -1
            var exit = -1
            for hit in range where goals[hit] == 0 {
                if entry < 0 { entry = hit }
                exit = hit
            }
            if entry < 0 {
                entry = range.lowerBound
                exit = range.upperBound - 1
            }
            entries[visit] = pages[entry]
            exits[visit] = pages[exit]
        }
        table.sessionKeys[FoldSlots.entry] = PackedColumn(entries)
        table.sessionKeys[FoldSlots.exit] = PackedColumn(exits)
    }
}
