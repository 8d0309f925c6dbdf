import Dispatch
import Foundation
import Journal
import Logging

/// Imports web-server access logs into the journal, exactly once.
///
/// Every line goes through the same ``IngestPipeline`` as live hits (bots and spam dropped, the
/// address used for the country and a daily visitor id, then forgotten), after ``PageRules`` have
/// kept only page views. Hits are marked ``HitFlags/imported``. The ``ImportLedger`` makes a second
/// import of the same lines add nothing, and an interrupted import resume where it stopped.
public final class AccessLogImporter {
    /// How to import.
    public struct Options: Sendable {
        /// The site the log belongs to.
        public var site: Site
        /// The log format (``AccessLogFormat/auto`` decides from the first lines).
        public var format: AccessLogFormat
        /// Which lines are page views.
        public var rules: PageRules
        /// Offset from UTC (ms) for timestamps written without one.
        public var defaultOffset: Int64
        /// Country lookup, if any.
        public var geoip: MaxMindDatabase?
        /// Stop (as if interrupted) after this many lines in all; for tests.
        public var stopAfterLines: Int?

        /// Options.
        public init(
            site: Site, format: AccessLogFormat = .auto, rules: PageRules = PageRules(), defaultOffset: Int64 = 0,
            geoip: MaxMindDatabase? = nil, stopAfterLines: Int? = nil
        ) {
            self.site = site
            self.format = format
            self.rules = rules
            self.defaultOffset = defaultOffset
            self.geoip = geoip
            self.stopAfterLines = stopAfterLines
        }
    }

    /// Progress, reported every few thousand lines.
    public struct Progress: Sendable {
        /// The file being read.
        public var file: String
        /// Lines read in all files so far.
        public var lines: Int
        /// Bytes read of the current file, and its size when known.
        public var bytes: Int64
        /// See ``bytes``.
        public var size: Int64?
    }

    /// How a run ended.
    public enum Ending: Sendable, Equatable {
        /// Every file was read to its end.
        case complete
        /// Stopped early (Ctrl-C); running the same command again continues.
        case interrupted
    }

    private let writer: JournalWriter
    private let options: Options
    private let ledgerPath: String
    private let salts: ImportSalts
    private let pipeline: IngestPipeline
    private var ledger: ImportLedger
    private let logger: Logger
    private var summary = ImportSummary()
    private var batch: [Hit] = []
    private var linesSinceCommit = 0
    private var unsaved = false
    private var inFlight = false

    /// An importer writing through `writer` (which must be the journal's only writer while it runs).
    public init(dataDirectory: String, writer: JournalWriter, options: Options, logger: Logger) throws {
        self.writer = writer
        self.options = options
        self.logger = logger
        ledgerPath = ImportLedger.path(dataDirectory: dataDirectory, site: options.site.domain)
        salts = try ImportSalts(path: dataDirectory + "/imports/" + options.site.domain + ".salts")
        pipeline = IngestPipeline(
            sites: StaticSiteRegistry([options.site]),
            visitors: VisitorIdentifier(salts: salts, sessionTimeout: -1), geoip: options.geoip)
        ledger = try ImportLedger.load(ledgerPath)
        try recoverPending(journal: writer.configuration.directory)
    }

    /// Imports `files` in order; `shouldStop` is polled between lines (Ctrl-C).
    public func run(
        files: [String], progress: (Progress) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> (ImportSummary, Ending) {
        for file in files {
            if try importFile(file, progress: progress, shouldStop: shouldStop) == .interrupted {
                try finish()
                return (summary, .interrupted)
            }
        }
        try finish()
        salts.discard()
        return (summary, .complete)
    }

    // MARK: - One file

    private struct Tentative {
        let entry: ImportLedger.Entry
        var chain: UInt64
        var count: Int
        var buffer: [Prepared]
    }

    /// Lines per chunk prepared at once.
    static let chunkSize = 8192

    /// A chunk being prepared on other threads.
    ///
    /// `@unchecked Sendable`: `items` is written by the one preparing job and read only after
    /// `group.wait()` returned, which orders the two.
    final class PreparedChunk: @unchecked Sendable {
        let group = DispatchGroup()
        var items: [Prepared] = []
    }

    /// A line read and judged ahead of the sequential part (in parallel, a chunk at a time).
    struct Prepared: Sendable {
        enum Outcome: Sendable {
            case malformed(String)
            case rejected(ImportSummary.Reason)
            /// A page view, already through the ingest pipeline (hits marked imported).
            case page([Hit])
        }

        let number: Int
        let hash: UInt64
        let outcome: Outcome
    }

    /// Hashes, parses, applies the page rules and runs the ingest pipeline for `lines`, on all
    /// cores. (The pipeline is thread-safe; a line later found already imported is simply not
    /// used — its only effect was creating the day's import salt.)
    static func prepare(
        _ lines: [(number: Int, line: LineReader.Line)], format: AccessLogFormat, rules: PageRules,
        defaultOffset: Int64,
        pipeline: IngestPipeline, site: String
    ) -> [Prepared] {
        let tooLongHash = ImportLedger.hash(ArraySlice(Array("\u{0}too long".utf8)))
        @Sendable func judge(_ item: (number: Int, line: LineReader.Line)) -> Prepared {
            switch item.line {
            case .tooLong:
                return Prepared(
                    number: item.number, hash: tooLongHash,
                    outcome: .malformed("longer than \(LineReader.maxLineLength) bytes"))
            case .text(let bytes):
                let hash = ImportLedger.hash(bytes)
                if bytes.isEmpty { return Prepared(number: item.number, hash: hash, outcome: .malformed("empty line")) }
                switch format.parse(bytes, defaultOffset: defaultOffset) {
                case .failure(let problem):
                    return Prepared(number: item.number, hash: hash, outcome: .malformed(problem.reason))
                case .success(let record):
                    if let reason = rules.rejection(record) {
                        return Prepared(number: item.number, hash: hash, outcome: .rejected(reason))
                    }
                    return Prepared(
                        number: item.number, hash: hash, outcome: ingest(record, pipeline: pipeline, site: site))
                }
            }
        }
        let lanes = lines.count >= 2048 ? 2 : 1
        var results = [Prepared?](repeating: nil, count: lines.count)
        results.withUnsafeMutableBufferPointer { output in
            // Each lane writes its own half of the buffer.
            nonisolated(unsafe) let output = output
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                let per = (lines.count + lanes - 1) / lanes
                for index in (lane * per)..<min(lines.count, (lane + 1) * per) { output[index] = judge(lines[index]) }
            }
        }
        return results.map { $0! }
    }

    private func importFile(_ path: String, progress: (Progress) -> Void, shouldStop: () -> Bool) throws -> Ending {
        let reader = try LineReader(path: path)
        var format = options.format
        var lookahead: [LineReader.Line] = []
        if format == .auto {
            while lookahead.count < 50, let line = try reader.next() { lookahead.append(line) }
            let sample = lookahead.compactMap { line -> ArraySlice<UInt8>? in
                if case .text(let bytes) = line { return bytes }
                return nil
            }
            guard let detected = AccessLogFormat.detect(sample) else {
                let first = sample.first.map { String(decoding: $0.prefix(120), as: UTF8.self) } ?? "(no lines)"
                throw IngestError(
                    .importFailed, "not an access log in a known format; its first line is: \(first)", file: path,
                    hint:
                        "Formats read: combined, common, combined-vhost, caddy-json, nginx-json; name one with --format"
                )
            }
            format = detected
            logger.info("detected the log format", metadata: ["file": "\(path)", "format": "\(detected.rawValue)"])
        }
        var file = (first: UInt64(0), lines: 0, chain: UInt64(0), checkpoints: [UInt64]())
        var entryIndex: Int?
        var tentative: Tentative?
        var lookaheadIndex = 0

        func nextLine() throws -> LineReader.Line? {
            if lookaheadIndex < lookahead.count {
                lookaheadIndex += 1
                return lookahead[lookaheadIndex - 1]
            }
            return try reader.next()
        }
        func process(_ item: Prepared) {
            summary.lines += 1
            linesSinceCommit += 1
            switch item.outcome {
            case .malformed(let reason): malformed(path, item.number, reason)
            case .rejected(let reason): summary.skip(reason)
            case .page(let hits):
                for hit in hits {
                    batch.append(hit)
                    summary.imported(at: hit.timestamp)
                }
            }
        }
        func abandon(_ pending: Tentative) {
            // Not the lines of that entry after all: they are new.
            for item in pending.buffer { process(item) }
        }
        func commitIfDue(force: Bool) throws {
            guard tentative == nil,
                force || batch.count >= writer.configuration.commit.maxRecords || linesSinceCommit >= 100_000
            else { return }
            let entry = ImportLedger.Entry(
                first: file.first, lines: file.lines, chain: file.chain, checkpoints: file.checkpoints)
            try commit(entry, index: &entryIndex)
        }

        var number = 0
        func readChunk() throws -> [(number: Int, line: LineReader.Line)] {
            var chunk: [(number: Int, line: LineReader.Line)] = []
            chunk.reserveCapacity(Self.chunkSize)
            while chunk.count < Self.chunkSize, let line = try nextLine() {
                number += 1
                chunk.append((number, line))
            }
            return chunk
        }
        // Double buffering: the next chunk is prepared on the other threads while this one is
        // handled here, in order.
        let rules = options.rules, offset = options.defaultOffset, pipeline = self.pipeline, site = options.site.domain
        let chosen = format
        func startPreparing(_ chunk: [(number: Int, line: LineReader.Line)]) -> PreparedChunk {
            let result = PreparedChunk()
            DispatchQueue.global().async(group: result.group) {
                result.items = Self.prepare(
                    chunk, format: chosen, rules: rules, defaultOffset: offset, pipeline: pipeline, site: site)
            }
            return result
        }
        var ahead = startPreparing(try readChunk())
        reading: while true {
            ahead.group.wait()
            let prepared = ahead.items
            if prepared.isEmpty { break }
            let following = try readChunk()
            ahead = startPreparing(following)
            for item in prepared {
                let hash = item.hash
                file.lines += 1
                file.chain = ImportLedger.chain(file.chain, hash)
                if file.lines == 1 { file.first = hash }
                if file.lines % ImportLedger.checkpointInterval == 0 { file.checkpoints.append(file.chain) }

                if var current = tentative {
                    current.chain = ImportLedger.chain(current.chain, hash)
                    current.count += 1
                    current.buffer.append(item)
                    tentative = current
                    if current.count % ImportLedger.checkpointInterval == 0 {
                        if current.entry.checkpoints[current.count / ImportLedger.checkpointInterval - 1]
                            == current.chain
                        {
                            confirm(current.buffer.count)
                            tentative!.buffer.removeAll(keepingCapacity: true)
                        } else {
                            tentative = nil
                            abandon(current)
                        }
                    }
                    if let still = tentative, still.count == still.entry.lines {
                        tentative = nil
                        if still.chain == still.entry.chain {
                            confirm(still.buffer.count)
                            if still.count == file.lines { entryIndex = ledger.entries.firstIndex(of: still.entry) }
                        } else {
                            abandon(still)
                        }
                    }
                } else if let known = ledger.entries.first(where: { $0.first == hash && $0.lines > 0 }) {
                    tentative = Tentative(entry: known, chain: ImportLedger.chain(0, hash), count: 1, buffer: [item])
                    if known.lines == 1 {
                        tentative = nil
                        confirm(1)
                        if file.lines == 1 { entryIndex = ledger.entries.firstIndex(of: known) }
                    }
                } else {
                    process(item)
                }
                try commitIfDue(force: false)
                let stop = (options.stopAfterLines.map { summary.lines >= $0 } ?? false) || shouldStop()
                if stop && tentative == nil {
                    try commitIfDue(force: true)
                    return .interrupted
                }
            }
            progress(Progress(file: path, lines: summary.lines, bytes: reader.bytesRead, size: reader.size))
            if following.isEmpty {
                ahead.group.wait()
                break reading
            }
        }
        if let pending = tentative {
            tentative = nil
            abandon(pending)
        }
        try commitIfDue(force: true)
        progress(Progress(file: path, lines: summary.lines, bytes: reader.bytesRead, size: reader.size))
        return .complete
    }

    private func confirm(_ lines: Int) {
        summary.lines += lines
        linesSinceCommit += lines
        summary.skipped[.alreadyImported, default: 0] += lines
    }

    private func malformed(_ path: String, _ number: Int, _ reason: String) {
        summary.skip(.malformed)
        if summary.malformedExamples.count < 5 { summary.malformedExamples.append((path, number, reason)) }
    }

    /// One page-view record through the ingest pipeline.
    static func ingest(_ record: AccessLogRecord, pipeline: IngestPipeline, site: String) -> Prepared.Outcome {
        let host = record.host.flatMap { $0.isEmpty ? nil : $0 } ?? site
        let event = IncomingEvent(
            name: Hit.pageview, url: "http://" + host + record.target, domain: site, referrer: record.referrer)
        let context = RequestContext(peerAddress: record.client, userAgent: record.userAgent ?? "", time: record.time)
        switch pipeline.process(event, context: context) {
        case .accepted(let hits):
            return .page(
                hits.map { hit in
                    var hit = hit
                    hit.flags.insert(.imported)
                    return hit
                })
        case .dropped(.bot): return .rejected(.bot)
        case .dropped(.spam): return .rejected(.spam)
        case .dropped, .invalid, .failed: return .rejected(.invalid)
        }
    }

    // MARK: - Exactly once

    /// Appends the batch and records the lines as imported, with the write-ahead step.
    ///
    /// The block is handed to the journal writer without waiting for its fsync; the next commit
    /// (or ``finish()``) waits for it before the ledger is written again, so the disk works while
    /// the next lines are parsed.
    private func commit(_ entry: ImportLedger.Entry, index: inout Int?) throws {
        try settle()
        if !batch.isEmpty {
            ledger.pending = ImportLedger.Pending(
                index: index, entry: entry, journalStart: writer.durableSequence, hits: batch.count)
            try ledger.save(ledgerPath)
            do {
                while true {
                    do {
                        _ = try writer.enqueue(batch)
                        break
                    } catch let error as JournalError where error.code == .overloaded {
                        try writer.flushBlocking()
                    }
                }
            } catch let error as JournalError {
                throw IngestError(.importFailed, "the journal refused the imported hits: \(error)", hint: error.hint)
            }
            inFlight = true
        }
        // Counted in memory now; written with the next pending record (after this block is durable)
        // or by ``finish()``. A crash before that finds this batch pending and checks the journal.
        index = apply(entry, at: index)
        ledger.pending = nil
        unsaved = true
        batch.removeAll(keepingCapacity: true)
        linesSinceCommit = 0
    }

    /// Waits until the block handed to the writer last is durable.
    private func settle() throws {
        guard inFlight else { return }
        do {
            try writer.flushBlocking()
        } catch let error as JournalError {
            throw IngestError(
                .importFailed, "the journal could not store the imported hits: \(error)", hint: error.hint)
        }
        inFlight = false
    }

    /// Waits for the last block, then writes what the ledger learned since its last write.
    private func finish() throws {
        try settle()
        if unsaved { try ledger.save(ledgerPath) }
        unsaved = false
    }

    private func apply(_ entry: ImportLedger.Entry, at index: Int?) -> Int {
        if let index, index < ledger.entries.count {
            ledger.entries[index] = entry
            return index
        }
        ledger.entries.append(entry)
        return ledger.entries.count - 1
    }

    /// Settles a batch left pending by an interrupted run: kept if its block is in the journal.
    private func recoverPending(journal: String) throws {
        guard let pending = ledger.pending else { return }
        var landed = false
        do {
            var blocks = try JournalReader(directory: JournalDirectory(path: journal)).blocks(
                BlockSelection(from: pending.journalStart, until: pending.journalStart + 1))
            if let block = try blocks.next(), block.header.firstSequence == pending.journalStart,
                block.count == pending.hits
            {
                let sites = block.column(.site)
                landed = (0..<block.count).allSatisfy {
                    sites[$0] == options.site.domain && HitFlags(rawValue: block.flags[$0]).contains(.imported)
                }
            }
        } catch {
            landed = false
        }
        logger.notice(
            "settling the batch an interrupted import left",
            metadata: ["landed": "\(landed)", "hits": "\(pending.hits)"])
        if landed { _ = apply(pending.entry, at: pending.index) }
        ledger.pending = nil
        try ledger.save(ledgerPath)
    }
}
