/// What a generation of rollups covers: written last, so a generation without one is unfinished.
public struct RollupManifest: Sendable, Equatable {
    /// The rollup format version of the generation's files.
    public var formatVersion: UInt16
    /// Every journal record below this sequence number is folded into the generation.
    public var position: UInt64
    /// Journal records before this time (ms UTC) may have been deleted by retention; days that
    /// start before it are kept from earlier rollups instead of being recomputed. Nil: none deleted.
    public var horizon: Int64?

    /// A manifest.
    public init(formatVersion: UInt16 = RollupCodec.formatVersion, position: UInt64, horizon: Int64? = nil) {
        self.formatVersion = formatVersion
        self.position = position
        self.horizon = horizon
    }

    /// The manifest as text lines (`format 1`, `position 123`, `horizon 1700000000000`).
    var text: String {
        var lines = "format \(formatVersion)\nposition \(position)\n"
        if let horizon { lines += "horizon \(horizon)\n" }
        return lines
    }

    /// Parses ``text``; nil when it is not a manifest.
    init?(text: String) {
        var format: UInt16?
        var position: UInt64?
        var horizon: Int64?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "format": format = UInt16(parts[1])
            case "position": position = UInt64(parts[1])
            case "horizon": horizon = Int64(parts[1])
            default: continue
            }
        }
        guard let format, let position else { return nil }
        self.init(formatVersion: format, position: position, horizon: horizon)
    }
}
