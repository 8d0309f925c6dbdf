import ArgumentParser
import Journal

/// `infinity journal stat`: size and shape of the journal.
struct JournalStatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat",
        abstract: "Show segments, blocks, records, bytes on disk, bytes per record and the time span.",
        discussion:
            "Reads block headers only, so it is quick on any journal. Example: infinity journal stat --data ./data"
    )

    @OptionGroup var options: DataOptions

    @Option(help: "Output format: table (for people) or json. Example: --format json")
    var format: StatFormat = .table

    enum StatFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func run() throws {
        let stats = try JournalStats(directory: options.journal)
        switch format {
        case .json:
            var object = JSONObject()
            object.add("segments", Int64(stats.segments))
            object.add("sealed_segments", Int64(stats.sealedSegments))
            object.add("blocks", Int64(stats.blocks))
            object.add("records", stats.records)
            object.add("bytes_on_disk", stats.bytesOnDisk)
            object.add("reserved_bytes", stats.reservedBytes)
            object.add("uncompressed_bytes", stats.uncompressedBytes)
            object.add("bytes_per_record", stats.bytesPerRecord)
            object.add("sealed_bytes_per_record", stats.sealedBytesPerRecord)
            object.add("open_bytes_per_record", stats.openBytesPerRecord)
            object.add("first_sequence", stats.sequences?.lowerBound ?? 0)
            object.add("end_sequence", stats.sequences?.upperBound ?? 0)
            if let span = stats.timeSpan {
                object.add("first_timestamp", Format.timestamp(span.lowerBound))
                object.add("last_timestamp", Format.timestamp(span.upperBound))
            }
            var classifiers = JSONObject()
            for (name, versions) in stats.classifierHistory.sorted(by: { $0.key < $1.key }) {
                var segments = JSONObject()
                for (version, count) in versions.sorted(by: { $0.key < $1.key }) { segments.add(version, Int64(count)) }
                classifiers.addRaw(name, segments.json)
            }
            object.addRaw("classifiers", classifiers.json)
            print(object.json)
        case .table:
            var table = TextTable(["", ""], rightAligned: [])
            table.headers = ["journal", options.journal.path]
            table.add(["segments", "\(stats.segments) (\(stats.sealedSegments) sealed)"])
            table.add(["blocks", "\(stats.blocks)"])
            table.add(["records", "\(stats.records) (\(Format.count(Double(stats.records))))"])
            table.add(["bytes on disk", "\(stats.bytesOnDisk) (\(Format.bytes(stats.bytesOnDisk)))"])
            if stats.reservedBytes > 0 {
                table.add([
                    "  reserved for new blocks", Format.bytes(stats.reservedBytes) + " more (the open segment's)",
                ])
            }
            table.add(["bytes per record", Format.decimal(stats.bytesPerRecord)])
            if stats.sealedRecords > 0 {
                table.add([
                    "  in sealed segments",
                    Format.decimal(stats.sealedBytesPerRecord)
                        + (stats.sealedNeedCompaction
                            ? "  (small blocks: `infinity journal compact` rewrites them)" : ""),
                ])
            }
            if stats.openRecords > 0 {
                table.add(["  in the open segment", Format.decimal(stats.openBytesPerRecord)])
            }
            if stats.uncompressedBytes > 0 {
                table.add([
                    "compression",
                    Format.decimal(Double(stats.uncompressedBytes) / Double(max(stats.bytesOnDisk, 1))) + "×",
                ])
            }
            if let sequences = stats.sequences {
                table.add(["sequence numbers", "\(sequences.lowerBound) ..< \(sequences.upperBound)"])
            }
            if let span = stats.timeSpan {
                table.add(["time span", "\(Format.timestamp(span.lowerBound)) … \(Format.timestamp(span.upperBound))"])
            }
            for (name, versions) in stats.classifierHistory.sorted(by: { $0.key < $1.key }) {
                let listed = versions.sorted { $0.key < $1.key }.map {
                    "\($0.key) (\($0.value) segment\($0.value == 1 ? "" : "s"))"
                }
                table.add(["classifier \(name)", listed.joined(separator: ", ")])
            }
            print(table.render(), terminator: "")
        }
    }
}
