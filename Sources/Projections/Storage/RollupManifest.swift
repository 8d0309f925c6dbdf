import Journal

/// What a generation of rollups covers: written last, so a generation without one is unfinished.
public struct RollupManifest: Sendable, Equatable {
    /// The rollup format version of the generation's files.
    public var formatVersion: UInt16
    /// Every journal record below this sequence number is folded into the generation.
    public var position: UInt64
    /// Journal records before this time (ms UTC) may have been deleted by retention; days that
    /// start before it are kept from earlier rollups instead of being recomputed. Nil: none deleted.
    public var horizon: Int64?
    /// Journal records below ``position`` that could not be read and are left out of these
    /// rollups (damaged blocks or segments, deleted segments): the quarantine list that answers
    /// and `/healthz` report from. A rebuild finds them anew.
    public var damaged: [DamagedRange]

    /// A manifest.
    public init(
        formatVersion: UInt16 = RollupCodec.formatVersion, position: UInt64, horizon: Int64? = nil,
        damaged: [DamagedRange] = []
    ) {
        self.formatVersion = formatVersion
        self.position = position
        self.horizon = horizon
        self.damaged = damaged
    }

    /// Records lost to ``damaged``.
    public var lostRecords: UInt64 { damaged.reduce(0) { $0 + $1.lostRecords } }

    /// ``damaged`` with `more` added, once each (by first sequence number), in sequence order.
    public func adding(damaged more: [DamagedRange]) -> [DamagedRange] {
        var known = Set(damaged.map(\.firstSequence))
        var all = damaged
        for range in more where known.insert(range.firstSequence).inserted { all.append(range) }
        return all.sorted { $0.firstSequence < $1.firstSequence }
    }

    /// The manifest as text lines (`format 1`, `position 123`, `horizon 1700000000000`, and a
    /// `damaged first end offset tmin tmax segment reason…` line per damaged range).
    var text: String {
        var lines = "format \(formatVersion)\nposition \(position)\n"
        if let horizon { lines += "horizon \(horizon)\n" }
        for range in damaged {
            let time = range.time.map { "\($0.lowerBound) \($0.upperBound)" } ?? "- -"
            let reason = range.reason.isEmpty ? "damaged" : range.reason.replacingNewlines()
            lines +=
                "damaged \(range.firstSequence) \(range.endSequence) \(range.offset) \(time) \(range.fileName) \(reason)\n"
        }
        return lines
    }

    /// Parses ``text``; nil when it is not a manifest.
    init?(text: String) {
        var format: UInt16?
        var position: UInt64?
        var horizon: Int64?
        var damaged: [DamagedRange] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 7)
            guard parts.count >= 2 else { return nil }
            switch parts[0] {
            case "format": format = UInt16(parts[1])
            case "position": position = UInt64(parts[1])
            case "horizon": horizon = Int64(parts[1])
            case "damaged":
                guard parts.count == 8, let first = UInt64(parts[1]), let end = UInt64(parts[2]),
                    let offset = Int64(parts[3])
                else { return nil }
                let time: Range<Int64>? =
                    if let low = Int64(parts[4]), let high = Int64(parts[5]), low <= high { low..<high } else { nil }
                damaged.append(
                    DamagedRange(
                        file: String(parts[6]), offset: offset, firstSequence: first, endSequence: end,
                        reason: String(parts[7]), time: time))
            default: continue
            }
        }
        guard let format, let position else { return nil }
        self.init(formatVersion: format, position: position, horizon: horizon, damaged: damaged)
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
