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

    private let destination: ImportDestination
    /// Held while the importer lives: no second import of the site meanwhile.
    private let siteLock: ImportSiteLock
    /// The data folder's spool, whose lock a backup holds while it copies the ledgers and the
    /// journal: batches are handed over under it, so that the copies agree.
    private let spool: JournalSpool
    /// Batches this run spooled (``ImportDestination/spool(_:journal:classifiers:room:)``), oldest
    /// first; those taken are dropped from the front as they are seen taken.
    public private(set) var spooled: [String] = []
    private let options: Options
    private let ledgerPath: String
    private let salts: ImportSalts
    private let pipeline: IngestPipeline
    private var ledger: ImportLedger
    private let lines: ImportedLines
    private let logger: Logger
    private var summary = ImportSummary()
    private var batch: [Hit] = []
    private var linesSinceCommit = 0
    private var unsaved = false
    private var inFlight = false
    /// Bytes of the key file that are (or, once the block in flight is durable, will be) confirmed.
    private var confirmedLength: Int64 = 0

    /// An importer writing through `writer` (which must be the journal's only writer while it runs).
    public convenience init(dataDirectory: String, writer: JournalWriter, options: Options, logger: Logger) throws {
        try self.init(dataDirectory: dataDirectory, destination: .journal(writer), options: options, logger: logger)
    }

    /// An importer whose hits go to `destination`.
    public init(dataDirectory: String, destination: ImportDestination, options: Options, logger: Logger) throws {
        self.destination = destination
        self.options = options
        self.logger = logger
        siteLock = try ImportSiteLock(dataDirectory: dataDirectory, site: options.site.domain)
        spool = JournalSpool(dataDirectory: dataDirectory)
        ledgerPath = ImportLedger.path(dataDirectory: dataDirectory, site: options.site.domain)
        salts = try ImportSalts(path: dataDirectory + "/imports/" + options.site.domain + ".salts")
        pipeline = IngestPipeline(
            sites: StaticSiteRegistry([options.site]),
            visitors: VisitorIdentifier(salts: salts, sessionTimeout: -1), geoip: options.geoip)
        ledger = try ImportLedger.load(ledgerPath)
        try Self.recoverPending(
            &ledger, path: ledgerPath, journal: destination.journalDirectory, spool: spool,
            site: options.site.domain, logger: logger)
        lines = try ImportedLines(path: ImportLedger.keysPath(ledgerPath), confirmed: ledger.keysLength)
        confirmedLength = ledger.keysLength
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
        return (summary, .complete)
    }

    // MARK: - One file

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
            /// The unfinished last line of a file.
            case incomplete
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
            case .unterminated:
                return Prepared(number: item.number, hash: 0, outcome: .incomplete)
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
            if sample.isEmpty, lookahead.allSatisfy({ if case .unterminated = $0 { true } else { false } }) {
                // No complete line yet (an empty file, or one cut inside its first line).
                summary.lines += lookahead.count
                for _ in lookahead { summary.skip(.incomplete) }
                return .complete
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
        var lookaheadIndex = 0
        var occurrences = OccurrenceCounter()
        var fileLines = 0
        var fileMalformed = 0
        var firstMalformed: String?

        func nextLine() throws -> LineReader.Line? {
            if lookaheadIndex < lookahead.count {
                lookaheadIndex += 1
                return lookahead[lookaheadIndex - 1]
            }
            return try reader.next()
        }
        /// A line not imported before: decided now, and noted once decided.
        func process(_ item: Prepared, key: UInt64) {
            summary.lines += 1
            linesSinceCommit += 1
            switch item.outcome {
            case .malformed(let reason):
                malformed(path, item.number, reason)
                fileMalformed += 1
                if firstMalformed == nil { firstMalformed = "line \(item.number): \(reason)" }
            case .incomplete:
                summary.skip(.incomplete)
            case .rejected(let reason):
                summary.skip(reason)
                lines.note(key)
            case .page(let hits):
                for hit in hits {
                    batch.append(hit)
                    summary.imported(at: hit.timestamp)
                }
                lines.note(key)
            }
        }
        func commitIfDue(force: Bool) throws {
            guard force || batch.count >= batchRecords || linesSinceCommit >= 100_000
            else { return }
            // A file most of whose lines do not parse is in another format: nothing of it is kept.
            if fileMalformed * 2 > fileLines {
                throw IngestError(
                    .importFailed,
                    "\(fileMalformed) of the \(fileLines) lines read are not \(format.rawValue) log lines (first: \(firstMalformed ?? "?")); nothing was imported from this file",
                    file: path,
                    hint:
                        "Name the log's format with --format (combined, common, combined-vhost, caddy-json, nginx-json), or leave --format out to detect it"
                )
            }
            try commit()
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
                fileLines += 1
                let key = ImportLedger.key(line: item.hash, occurrence: occurrences.next(item.hash))
                if case .incomplete = item.outcome {
                    process(item, key: key)
                } else if lines.contains(key) {
                    confirm(1)
                } else {
                    process(item, key: key)
                }
                try commitIfDue(force: false)
                if (options.stopAfterLines.map { summary.lines >= $0 } ?? false) || shouldStop() {
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
        case .dropped(.app): return .rejected(.app)
        case .dropped(.spam): return .rejected(.spam)
        case .dropped, .invalid, .failed: return .rejected(.invalid)
        }
    }

    // MARK: - Exactly once

    /// Appends the batch and records its lines as imported, with the write-ahead step.
    ///
    /// The block is handed to the journal writer without waiting for its fsync; the next commit
    /// (or ``finish()``) waits for it before the ledger is written again, so the disk works while
    /// the next lines are parsed.
    private func commit() throws {
        try settle()
        // Everything handed over before is durable now: its keys are confirmed.
        ledger.keysLength = confirmedLength
        if batch.isEmpty {
            _ = try lines.writeNoted()
            confirmedLength = lines.length
            ledger.keysLength = confirmedLength
            ledger.pending = nil
            try ledger.save(ledgerPath)
            unsaved = false
        } else if case .spool(let spool, _, let classifiers, let room) = destination {
            try spoolBatch(spool, classifiers: classifiers, room: room)
        } else if case .journal(let writer) = destination {
            // Under the spool's lock: a backup copying the ledgers and the journal meanwhile gets
            // either this batch's pending note and no records of it past the note, or neither.
            try spool.whileNoneIsTaken { try append(to: writer) }
            inFlight = true
            // Confirmed once the block is durable: written with the next commit or by ``finish()``.
            confirmedLength = lines.length
            unsaved = true
        }
        batch.removeAll(keepingCapacity: true)
        linesSinceCommit = 0
    }

    /// Notes the batch as pending, writes its keys and hands it to the journal's writer.
    private func append(to writer: JournalWriter) throws {
        ledger.pending = ImportLedger.Pending(
            journalStart: writer.durableSequence, hits: batch.count, keysLength: confirmedLength,
            keys: lines.noted.count)
        try ledger.save(ledgerPath)
        _ = try lines.writeNoted()
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
    }

    /// Hits per batch: a block's worth for the journal's writer; as many for the spool.
    private var batchRecords: Int {
        if case .journal(let writer) = destination { return writer.configuration.commit.maxRecords }
        return Self.spoolBatchRecords
    }

    /// Hits per spooled batch (one block each).
    static let spoolBatchRecords = 8192

    /// Hands the batch to the spool: written and fsynced unpublished, noted as pending in the
    /// ledger, its keys written, then published. A crash before the keys are on disk leaves an
    /// unpublished batch that the next run deletes; after, one that it publishes (both in
    /// ``recoverPending(_:path:journal:spool:site:logger:)``).
    private func spoolBatch(
        _ spool: JournalSpool, classifiers: [String: String], room: @Sendable ([String]) throws -> Void
    ) throws {
        spooled.removeAll { !spool.isWaiting($0) }
        try room(spooled)
        // Under the spool's lock, so that a backup copies the ledger and the batch together.
        try spool.whileNoneIsTaken { try handOver(spool, classifiers: classifiers) }
    }

    private func handOver(_ spool: JournalSpool, classifiers: [String: String]) throws {
        let name = JournalSpool.newName(tag: options.site.domain)
        let payloads: [BlockEncoder.Payload]
        do {
            payloads = try stride(from: 0, to: batch.count, by: Self.spoolBatchRecords).map {
                try BlockEncoder.payload(batch[$0..<min($0 + Self.spoolBatchRecords, batch.count)])
            }
            try spool.write(payloads, name: name, classifiers: classifiers)
        } catch let error as JournalError {
            try? spool.discardUnpublished(name)
            throw IngestError(.importFailed, "the imported hits could not be spooled: \(error)", hint: error.hint)
        }
        ledger.pending = ImportLedger.Pending(
            journalStart: 0, hits: batch.count, keysLength: confirmedLength, keys: lines.noted.count, spool: name)
        try ledger.save(ledgerPath)
        _ = try lines.writeNoted()
        do {
            try spool.publish(name)
        } catch let error as JournalError {
            throw IngestError(.importFailed, "the imported hits could not be spooled: \(error)", hint: error.hint)
        }
        spooled.append(name)
        // Published is handed over: the server appends it exactly once. Confirmed with the next save.
        confirmedLength = lines.length
        unsaved = true
    }

    /// Waits until the block handed to the writer last is durable.
    private func settle() throws {
        guard inFlight, case .journal(let writer) = destination else { return }
        do {
            try writer.flushBlocking()
        } catch let error as JournalError {
            throw IngestError(
                .importFailed, "the journal could not store the imported hits: \(error)", hint: error.hint)
        }
        inFlight = false
    }

    /// The site a batch name (``JournalSpool/newName(tag:)`` with the site as tag) belongs to.
    static func site(ofBatch name: String) -> String? {
        guard let first = name.firstIndex(of: "-"), let last = name.lastIndex(of: "-"), first < last else { return nil }
        return String(name[name.index(after: first)..<last])
    }

    /// Waits for the last block, then writes what the ledger learned since its last write.
    private func finish() throws {
        try settle()
        if unsaved {
            ledger.keysLength = confirmedLength
            ledger.pending = nil
            try ledger.save(ledgerPath)
        }
        unsaved = false
    }

    /// Settles a batch left pending by an interrupted run: its keys count only if its hits are in
    /// the journal (every record from its start on, as many as it had, imported hits of the site),
    /// or, for a spooled batch, once it is published. A spooled batch still unpublished is
    /// published if its keys reached the disk (it was complete before the ledger named it), and
    /// deleted if not. Unpublished batches of the site that no ledger names are deleted.
    static func recoverPending(
        _ ledger: inout ImportLedger, path: String, journal: String, spool: JournalSpool, site: String,
        logger: Logger
    ) throws {
        for name in try spool.unpublished() where name != ledger.pending?.spool && Self.site(ofBatch: name) == site {
            try spool.discardUnpublished(name)
        }
        guard let pending = ledger.pending else { return }
        if let name = pending.spool {
            var landed = true
            if spool.isUnpublished(name) {
                let keys = ImportLedger.keysPath(path)
                let size =
                    (try? FileManager.default.attributesOfItem(atPath: keys)[.size] as? NSNumber)?.int64Value ?? 0
                landed = size >= pending.keysLength + Int64(pending.keys) * 8
                if landed { try spool.publish(name) } else { try spool.discardUnpublished(name) }
            }
            logger.notice(
                "settling the spooled batch an interrupted import left",
                metadata: ["landed": "\(landed)", "hits": "\(pending.hits)", "batch": "\(name)"])
            ledger.keysLength = landed ? pending.keysLength + Int64(pending.keys) * 8 : pending.keysLength
            ledger.pending = nil
            try ledger.save(path)
            return
        }
        var found = 0
        var landed = true
        do {
            var blocks = try JournalReader(directory: JournalDirectory(path: journal)).blocks(
                BlockSelection(from: pending.journalStart, until: pending.journalStart + UInt64(pending.hits)))
            while found < pending.hits, let block = try blocks.next() {
                let sites = block.column(.site)
                for index in 0..<block.count where block.sequence(at: index) >= pending.journalStart {
                    guard found < pending.hits else { break }
                    if sites[index] != site || !HitFlags(rawValue: block.flags[index]).contains(.imported) {
                        landed = false
                    }
                    found += 1
                }
            }
        } catch {
            landed = false
        }
        landed = landed && found == pending.hits
        logger.notice(
            "settling the batch an interrupted import left",
            metadata: ["landed": "\(landed)", "hits": "\(pending.hits)"])
        ledger.keysLength = landed ? pending.keysLength + Int64(pending.keys) * 8 : pending.keysLength
        ledger.pending = nil
        try ledger.save(path)
    }
}
