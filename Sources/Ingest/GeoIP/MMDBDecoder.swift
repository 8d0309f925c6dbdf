/// Decodes values of a MaxMind DB data section (maps, strings, integers, pointers…).
struct MMDBDecoder {
    /// A decoded value; only the kinds a country lookup needs are kept, the rest are `.other`.
    indirect enum Value {
        case map([String: Value])
        case string(String)
        case unsigned(UInt64)
        case other
    }

    struct Malformed: Error {}

    let bytes: [UInt8]
    /// Where pointers are counted from (the data section, or the metadata).
    let base: Int
    private var depth = 0

    init(bytes: [UInt8], base: Int) {
        self.bytes = bytes
        self.base = base
    }

    private func byte(_ offset: Int) throws -> Int {
        guard offset >= 0, offset < bytes.count else { throw Malformed() }
        return Int(bytes[offset])
    }

    /// Decodes the value at `offset` (and whatever it contains).
    mutating func decode(at offset: Int) throws -> Value {
        var position = offset
        return try decode(&position)
    }

    private mutating func decode(_ position: inout Int) throws -> Value {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw Malformed() }
        let control = try byte(position)
        position += 1
        var type = control >> 5
        if type == 1 {  // pointer
            let size = (control >> 3) & 0x3
            let top = control & 0x7
            var pointer: Int
            switch size {
            case 0: pointer = top << 8 | (try byte(position))
            case 1: pointer = (top << 16 | (try byte(position)) << 8 | (try byte(position + 1))) + 2048
            case 2:
                pointer =
                    (top << 24 | (try byte(position)) << 16 | (try byte(position + 1)) << 8 | (try byte(position + 2)))
                    + 526_336
            default:
                pointer =
                    (try byte(position)) << 24 | (try byte(position + 1)) << 16 | (try byte(position + 2)) << 8
                    | (try byte(position + 3))
            }
            position += size + 1
            var target = base + pointer
            return try decode(&target)
        }
        if type == 0 {  // extended type
            type = 7 + (try byte(position))
            position += 1
        }
        var size = control & 0x1F
        switch size {
        case 29:
            size = 29 + (try byte(position))
            position += 1
        case 30:
            size = 285 + ((try byte(position)) << 8 | (try byte(position + 1)))
            position += 2
        case 31:
            size = 65_821 + ((try byte(position)) << 16 | (try byte(position + 1)) << 8 | (try byte(position + 2)))
            position += 3
        default: break
        }
        switch type {
        case 2:  // UTF-8 string
            guard position + size <= bytes.count else { throw Malformed() }
            defer { position += size }
            return .string(String(decoding: bytes[position..<(position + size)], as: UTF8.self))
        case 5, 6, 9, 10:  // unsigned integers, big-endian, `size` bytes
            guard size <= 16, position + size <= bytes.count else { throw Malformed() }
            var value: UInt64 = 0
            for i in 0..<size { value = value << 8 | UInt64(bytes[position + i]) }
            position += size
            return .unsigned(value)
        case 7:  // map
            var map: [String: Value] = [:]
            for _ in 0..<size {
                guard case .string(let key) = try decode(&position) else { throw Malformed() }
                map[key] = try decode(&position)
            }
            return .map(map)
        case 11:  // array
            for _ in 0..<size { _ = try decode(&position) }
            return .other
        case 3: position += 8  // double
        case 15: position += 4  // float
        case 4, 8: position += size  // bytes, int32
        case 14: break  // boolean: the value is the size
        default: throw Malformed()
        }
        return .other
    }
}
