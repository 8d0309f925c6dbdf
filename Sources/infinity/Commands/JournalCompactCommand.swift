import ArgumentParser
import Foundation
import Journal

/// `infinity journal compact`: rewrite sealed segments' small blocks into full ones.
struct JournalCompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite the small blocks of sealed segments into full ones (same records, fewer bytes).",
        discussion: """
            A running server writes one small block per group commit, so its journal is larger than the \
            same hits written in bulk. This rewrites every sealed segment whose blocks are small: the same \
            records, sequence numbers and order, each segment replaced atomically (a crash leaves the old \
            or the new file, never both or neither). Safe beside a running `infinity serve`: it never \
            touches the segment being written, and `serve` compacts sealed segments on its own within \
            an hour. Damaged segments are left alone. `infinity journal stat` shows bytes per record in \
            sealed and open segments.
            Example: infinity journal compact --data ./data
            """
    )

    @OptionGroup var options: DataOptions

    func run() throws {
        try options.requireOwner()
        let crashAfter = ProcessInfo.processInfo.environment["INFINITY_COMPACT_CRASH_AFTER"].flatMap {
            JournalCompactor.Step(rawValue: $0)
        }
        var table = TextTable(
            ["segment", "records", "blocks", "bytes", "bytes/record", ""], rightAligned: [1, 2, 3, 4])
        var saved: Int64 = 0
        let segments = try options.journal.segments().count
        var bar = ProgressBar(title: "compact", total: Double(segments), unit: "segments")
        var done = 0
        let outcomes = try JournalCompactor(directory: options.journal).compact(
            erasing: try SiteErasures(dataDirectory: options.data).limits, crashAfter: crashAfter,
            logger: Infinity.makeLogger()
        ) { _ in
            done += 1
            bar.update(done: Double(done), count: Double(done), countUnit: "segments")
        }
        bar.finish()
        for outcome in outcomes where !(outcome.skipped?.hasPrefix("open") ?? false) {
            let perRecord = { (bytes: Int64) in Format.decimal(Double(bytes) / Double(max(outcome.records, 1))) }
            if let reason = outcome.skipped {
                table.add([
                    outcome.name, "\(outcome.records)", "\(outcome.blocksBefore)", Format.bytes(outcome.bytesBefore),
                    perRecord(outcome.bytesBefore), "left alone: \(reason)",
                ])
            } else {
                saved += outcome.bytesBefore - outcome.bytesAfter
                table.add([
                    outcome.name, "\(outcome.records)", "\(outcome.blocksBefore) → \(outcome.blocksAfter)",
                    "\(Format.bytes(outcome.bytesBefore)) → \(Format.bytes(outcome.bytesAfter))",
                    "\(perRecord(outcome.bytesBefore)) → \(perRecord(outcome.bytesAfter))",
                    outcome.erased > 0 ? "compacted, \(outcome.erased) deleted records erased" : "compacted",
                ])
            }
        }
        if outcomes.allSatisfy({ $0.skipped?.hasPrefix("open") ?? false }) {
            print("Nothing to compact: the journal has no sealed segments yet (the newest one is still written to).")
            return
        }
        print(table.render(), terminator: "")
        let compacted = outcomes.filter { $0.skipped == nil }.count
        let sealed = outcomes.filter { !($0.skipped?.hasPrefix("open") ?? false) }.count
        print("\(compacted) of \(sealed) sealed segments compacted; \(Format.bytes(saved)) saved.")
    }
}
