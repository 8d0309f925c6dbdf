import Journal

/// How a visit-table column is stored in a day file, and how a reader turns it back into the
/// packed form it reads in place.
///
/// In memory (and in the section cache) a column is always *plain*: varint count, width byte, the
/// values bit-packed. On disk the writer may choose a smaller form, flagged in the width byte's top
/// bits:
/// - ``steps`` (`0x80`): running starts stored as their steps minus one (`start[i+1] − start[i] −
///   1`, mostly 0 or 1), where the starts themselves need up to 17 bits each; the count stays the
///   number of starts, the first start is 0.
/// - ``sparse`` (`0x40`): varint `M`, then a bitmap of `count` bits (which values are not zero),
///   then the `M` values that are not zero, packed with the width; for columns that are mostly 0
///   (durations of bounces, empty UTM slots).
///
/// Both are undone once per section read, so a question still reads the values in place.
enum StoredColumn {
    static let steps: UInt8 = 0x80
    static let sparse: UInt8 = 0x40
    static let widthMask: UInt8 = 0x3F

    /// The smallest stored form of `column`; `starts` for running starts (`[0, …, total]`).
    static func encode(_ column: PackedColumn, starts: Bool) -> [UInt8] {
        var writer = ByteWriter(capacity: column.bytes.count + 16)
        writer.append(varint: UInt64(column.count))
        if starts, column.count >= 1 {
            var values = [UInt32](repeating: 0, count: column.count - 1)
            var largest: UInt32 = 0
            var nonZero = 0
            withExtendedLifetime(column) {
                let view = column.view
                for index in values.indices {
                    let step = view[index + 1] &- view[index] &- 1
                    values[index] = step
                    largest = max(largest, step)
                    nonZero += step == 0 ? 0 : 1
                }
            }
            append(values, flags: steps, nonZero: nonZero, width: BitPacking.width(forMax: largest), to: &writer)
        } else {
            // Most columns stay as they are: count the values that are not 0 before copying any.
            let nonZero =
                column.nonZero
                ?? withExtendedLifetime(column) {
                    let view = column.view
                    var nonZero = 0
                    for index in 0..<column.count where view[index] != 0 { nonZero += 1 }
                    return nonZero
                }
            if sparsePays(count: column.count, nonZero: nonZero, width: column.width) {
                var values = [UInt32](repeating: 0, count: column.count)
                withExtendedLifetime(column) {
                    let view = column.view
                    for index in values.indices { values[index] = view[index] }
                }
                append(values, flags: 0, nonZero: nonZero, width: column.width, to: &writer)
            } else {
                writer.append(byte: UInt8(column.width))
                append(column, to: &writer)
            }
        }
        return writer.bytes
    }

    /// Whether the sparse form is worth its decoding: at least a quarter smaller than the packed
    /// bytes (a hot column such as the pages, mostly not 0, saves a few percent at best and would
    /// cost every question that reads it a pass more).
    private static func sparsePays(count: Int, nonZero: Int, width: Int) -> Bool {
        let sparse = (count + 7) / 8 + PackedColumn.byteCount(count: nonZero, width: width) + 4
        return sparse * 4 < PackedColumn.byteCount(count: count, width: width) * 3
    }

    /// Appends the width byte (with `flags`) and `values` (`nonZero` of them not 0, the largest
    /// `width` bits long) packed or sparse, whichever ``sparsePays`` picks.
    private static func append(
        _ values: [UInt32], flags: UInt8, nonZero nonZeroCount: Int, width: Int, to writer: inout ByteWriter
    ) {
        guard sparsePays(count: values.count, nonZero: nonZeroCount, width: width) else {
            let packed = PackedColumn(values)
            writer.append(byte: flags | UInt8(packed.width))
            append(packed, to: &writer)
            return
        }
        // One pass: the bitmap's bytes, and the values that are not 0.
        var bitmap = [UInt8](repeating: 0, count: (values.count + 7) / 8)
        var nonZero = [UInt32]()
        nonZero.reserveCapacity(nonZeroCount)
        for (index, value) in values.enumerated() where value != 0 {
            bitmap[index >> 3] |= 1 << UInt8(index & 7)
            nonZero.append(value)
        }
        // The width of the values as packed (a column read from a file may carry a wider one).
        let packed = PackedColumn(nonZero)
        writer.append(byte: flags | sparse | UInt8(packed.width))
        writer.append(varint: UInt64(nonZeroCount))
        writer.append(contentsOf: bitmap)
        append(packed, to: &writer)
    }

    /// Appends a column's packed bytes, keeping the column (which owns them) alive meanwhile.
    private static func append(_ column: PackedColumn, to writer: inout ByteWriter) {
        withExtendedLifetime(column) { writer.append(contentsOf: column.bytes) }
    }

    /// New bytes for a plain column of `count` values of `width` bits: the count and width
    /// written, zero values after them (with the slack that whole-word stores need), and where the
    /// values go.
    static func plainSection(count: Int, width: Int) -> (OwnedBytes, UnsafeMutableRawPointer) {
        var header = ByteWriter(capacity: 16)
        header.append(varint: UInt64(count))
        header.append(byte: UInt8(width))
        let plain = OwnedBytes(count: header.count + PackedColumn.byteCount(count: count, width: width))
        header.bytes.withUnsafeBytes { plain.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return (plain, plain.pointer + header.count)
    }

    /// `section` in the plain form: itself when stored plain, else decoded into new bytes. Starts
    /// come out in whole 32-bit words (copied, not packed: every question that reads visits
    /// decodes them); a sparse column at its stored width, its values put in place in order.
    /// Lengths are checked first; the sections' slack covers whole-word loads and stores at the
    /// ends.
    ///
    /// With `starts` (the section holds running starts), the starts must rise at every step.
    /// Starts decoded from steps do by construction (each step adds at least one), so only starts
    /// stored in another form are checked, in a pass of their own.
    static func plain(_ section: OwnedBytes, starts: Bool = false) throws -> OwnedBytes {
        var reader = ByteReader(section.buffer)
        let count = try reader.readCount(limit: Int(Int32.max), "count")
        let tag = try reader.read(UInt8.self, "bit width")
        let isSteps = tag & steps != 0
        guard tag & ~widthMask != 0 else {
            if starts { try checkRising(section) }
            return section
        }
        let width = Int(tag & widthMask)
        guard width <= 32 else { throw ByteReader.OutOfBounds(what: "bit width \(width)") }
        guard !isSteps || count >= 1 else { throw ByteReader.OutOfBounds(what: "steps of no starts") }
        let valueCount = isSteps ? count - 1 : count
        let plainWidth = isSteps ? 32 : width
        let (plain, output) = plainSection(count: count, width: plainWidth)
        if tag & sparse != 0 {
            let nonZero = try reader.readCount(limit: valueCount, "non-zero count")
            let bitmapBytes = (valueCount + 7) / 8
            guard reader.remaining >= bitmapBytes + PackedColumn.byteCount(count: nonZero, width: width) else {
                throw ByteReader.OutOfBounds(what: "sparse values")
            }
            let bitmap = section.pointer + reader.position
            let packed = PackedView(base: bitmap + bitmapBytes, width: width, limit: .max)
            // Steps go to the word after their start (the first start is 0), then become running
            // starts. Other values go out through a 64-bit accumulator, since they arrive in
            // order: ORing each into its place in memory read back the word just written, and
            // each such read waited for the write before it.
            var next = 0
            var accumulator: UInt64 = 0
            var accumulatorBit = 0  // the output bit the accumulator's lowest bit stands for
            for wordStart in stride(from: 0, to: valueCount, by: 64) where next < nonZero {
                // Bits past the bitmap's end (the packed values, or the slack) stop the loop below.
                var word = UInt64(littleEndian: bitmap.loadUnaligned(fromByteOffset: wordStart / 8, as: UInt64.self))
                while word != 0, next < nonZero {
                    let index = wordStart + word.trailingZeroBitCount
                    guard index < valueCount else { break }
                    let value = UInt64(packed[next])
                    if isSteps {
                        output.storeBytes(
                            of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: (index + 1) * 4,
                            as: UInt32.self)
                    } else {
                        let bit = index * width
                        if bit - accumulatorBit >= 32 {
                            // Out with the accumulator's words, then on to the word that holds `bit`.
                            output.storeBytes(
                                of: accumulator.littleEndian, toByteOffset: accumulatorBit >> 3, as: UInt64.self)
                            let skip = ((bit - accumulatorBit) >> 5) << 5
                            accumulator = skip >= 64 ? 0 : accumulator >> UInt64(skip)
                            accumulatorBit += skip
                        }
                        accumulator |= value << UInt64(bit - accumulatorBit)
                    }
                    next += 1
                    word &= word &- 1
                }
            }
            guard next == nonZero else { throw ByteReader.OutOfBounds(what: "sparse bitmap") }
            if isSteps {
                try runningStarts(valueCount, into: output) {
                    UInt32(littleEndian: output.loadUnaligned(fromByteOffset: ($0 + 1) * 4, as: UInt32.self))
                }
            } else {
                output.storeBytes(of: accumulator.littleEndian, toByteOffset: accumulatorBit >> 3, as: UInt64.self)
                if starts { try checkRising(plain) }
            }
        } else {
            guard isSteps, reader.remaining >= PackedColumn.byteCount(count: valueCount, width: width) else {
                throw ByteReader.OutOfBounds(what: "packed values")
            }
            let packed = PackedView(base: section.pointer + reader.position, width: width, limit: .max)
            try runningStarts(valueCount, into: output) { packed[$0] }
        }
        return plain
    }

    /// Checks that the plain column in `section` rises by at least one at every step, with one
    /// flag for the whole column looked at after the loop.
    private static func checkRising(_ section: OwnedBytes) throws {
        let column = try VisitTableCodec.packed(section, count: nil, limit: .max)
        var falls: UInt32 = 0
        withExtendedLifetime(column) {
            let view = column.view
            var previous: UInt32 = 0
            for index in 1..<max(column.count, 1) {
                let value = view[index]
                falls |= value <= previous ? 1 : 0
                previous = value
            }
        }
        guard falls == 0 else { throw ByteReader.OutOfBounds(what: "starts") }
    }

    /// Writes the running starts of `count` steps (`step(i)`, each one less than the distance to
    /// the next start) as whole words after the first start, 0, at `output`, in one pass. Every
    /// question that reads visits decodes these, so the loop has no branch: the sum only rises, so
    /// its last value bounds all the others.
    @inline(__always)
    private static func runningStarts(
        _ count: Int, into output: UnsafeMutableRawPointer, step: (Int) -> UInt32
    ) throws {
        var running: UInt64 = 0
        for index in 0..<count {
            running &+= UInt64(step(index)) &+ 1
            output.storeBytes(
                of: UInt32(truncatingIfNeeded: running).littleEndian, toByteOffset: (index + 1) * 4, as: UInt32.self)
        }
        guard running <= UInt64(Int32.max) else { throw ByteReader.OutOfBounds(what: "starts") }
    }
}
