import Logging
import Synchronization

/// Appends the spool's published batches to the journal, each exactly once, in the process that
/// holds the journal's writer (`infinity serve`, or an import that found no server running).
///
/// Every record in a batch is an imported hit (``HitFlags/imported``), and batches are taken one
/// at a time, by this consumer alone while its process holds the journal. So before a batch is
/// appended, the journal's durable end is noted in `CONSUMING` (the *lower bound*); after a crash,
/// the imported records from that bound on are exactly the batch's blocks that landed — always a
/// whole prefix of them, since each block lands whole or not at all — and only the rest is
/// appended. A batch is removed, and the folder fsynced, before the next is begun.
public struct SpoolConsumer: Sendable {
    /// The spool read.
    public let spool: JournalSpool
    /// The journal's writer, held by this process.
    public let writer: JournalWriter
    let logger: Logger
    /// Batches this consumer refused: not read again by it. Another process (a server of the
    /// version that made them) tries them afresh.
    private let refused = Refused()

    private final class Refused: Sendable {
        let names = Mutex<Set<String>>([])
    }

    /// A consumer appending through `writer`.
    public init(spool: JournalSpool, writer: JournalWriter, logger: Logger) {
        self.spool = spool
        self.writer = writer
        self.logger = logger
    }

    /// The note of the batch being taken.
    struct Consuming: Equatable {
        static let magic: UInt32 = 0x4E43_4D49  // "IMCN"
        var name: String
        /// The journal's durable end before the batch's first block was appended.
        var lowerBound: UInt64
        /// Records in each of the batch's blocks still to append when it was noted.
        var counts: [Int]

        func encoded() -> [UInt8] {
            var writer = ByteWriter(capacity: 64 + name.utf8.count)
            writer.append(littleEndian: Self.magic)
            writer.append(lengthPrefixed: name)
            writer.append(littleEndian: lowerBound)
            writer.append(varint: UInt64(counts.count))
            for count in counts { writer.append(varint: UInt64(count)) }
            writer.append(littleEndian: CRC32C.checksum(writer.bytes))
            return writer.bytes
        }

        static func decode(_ bytes: [UInt8]) -> Consuming? {
            bytes.withUnsafeBytes { raw -> Consuming? in
                guard raw.count > 8,
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)]))
                        == raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self).littleEndian
                else { return nil }
                var reader = ByteReader(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)]))
                guard (try? reader.read(UInt32.self)) == magic, let name = try? reader.readString(limit: 1024),
                    let lowerBound = try? reader.read(UInt64.self),
                    let blocks = try? reader.readCount(limit: 1 << 20, "blocks")
                else { return nil }
                var counts: [Int] = []
                for _ in 0..<blocks {
                    guard let count = try? reader.readVarint() else { return nil }
                    counts.append(Int(count))
                }
                return Consuming(name: name, lowerBound: lowerBound, counts: counts)
            }
        }
    }

    var notePath: String { spool.directory + "/" + Self.noteName }

    /// The note's file name in the spool.
    static let noteName = "CONSUMING"

    /// Takes every published batch, oldest first, after settling one a crash interrupted; the
    /// number of records appended. Blocks the calling thread while the writer stores them (not for
    /// a Swift concurrency task's thread). A batch this build cannot take is left in place with a
    /// note saying why (``JournalSpool/refusal(_:)``), and not tried again by this consumer; a
    /// failed append (a full disk) throws and leaves the batch for the next call.
    /// `shouldStop` is asked between batches (a server shutting down stops after the batch it is
    /// appending).
    @discardableResult
    public func consumeAll(shouldStop: () -> Bool = { false }) throws -> Int {
        // Nothing to do (the common case, looked at several times a second): no lock taken.
        guard try FileSystem.kind(of: notePath).exists || !spool.published().isEmpty else { return 0 }
        // A backup copying the journal and the spool holds the lock: the batches wait for it.
        guard let lock = try spool.lockIfFree() else { return 0 }
        defer { lock.release() }
        var appended = try recover()
        for name in try spool.published() {
            if shouldStop() { break }
            guard !refused.names.withLock({ $0.contains(name) }) else { continue }
            let batch: JournalSpool.Batch
            do {
                batch = try spool.read(name)
                try check(batch)
            } catch let error as JournalError {
                logger.error("a spooled batch cannot be taken: \(error)", metadata: ["batch": "\(name)"])
                try spool.refuse(name, because: error.description)
                refused.names.withLock { _ = $0.insert(name) }
                continue
            }
            appended += try consume(name, batch.payloads)
        }
        return appended
    }

    /// Whether this build can append `batch` as it is.
    private func check(_ batch: JournalSpool.Batch) throws {
        let ours = writer.configuration.classifiers
        for key in ["ua-rules", "referrer-lists"] where batch.classifiers[key] != ours[key] {
            throw JournalError(
                .unsupportedVersion,
                "the batch was made by another version of infinity (\(key) \(batch.classifiers[key] ?? "none"), this server has \(ours[key] ?? "none"))",
                hint: "Restart serve with the version of infinity that imported it; the batch is kept and stored then")
        }
        guard batch.formatVersion <= SegmentHeader.currentFormatVersion,
            batch.payloads.allSatisfy({ $0.layout.firstFormatVersion <= SegmentHeader.currentFormatVersion })
        else {
            throw JournalError(
                .unsupportedVersion, "the batch was encoded for journal format \(batch.formatVersion)",
                hint: "Restart serve with the version of infinity that imported it; the batch is kept and stored then")
        }
    }

    /// Settles the batch a crash left being taken: appends its blocks that did not land, then
    /// removes it. The records appended.
    private func recover() throws -> Int {
        guard FileSystem.kind(of: notePath).exists else { return 0 }
        guard let note = Consuming.decode(try AtomicFile.read(notePath)) else {
            throw JournalError(
                .corrupt, "the spool's note of the batch being taken is damaged", file: notePath,
                hint:
                    "Check the journal's imported hits against the spooled batches by hand; delete the note only if none of them was stored"
            )
        }
        guard spool.isWaiting(note.name) else { return 0 }  // taken and removed before the crash
        let landed = try importedRecords(from: note.lowerBound)
        var prefix = 0
        var blocks = 0
        while blocks < note.counts.count, prefix < landed {
            prefix += note.counts[blocks]
            blocks += 1
        }
        guard prefix == landed else {
            throw JournalError(
                .corrupt,
                "the journal holds \(landed) imported records after the batch being taken began, which is not a whole number of its blocks",
                file: spool.path(note.name),
                hint: "Run `infinity journal verify`; keep the batch until this is understood")
        }
        let batch = try spool.read(note.name)
        let skip = batch.payloads.count - note.counts.count + blocks
        logger.notice(
            "settling the spooled batch a crash interrupted",
            metadata: ["batch": "\(note.name)", "landed_blocks": "\(skip)", "blocks": "\(batch.payloads.count)"])
        return try consume(note.name, Array(batch.payloads.dropFirst(skip)))
    }

    /// Appends `payloads` (the rest of batch `name`) and removes the batch.
    private func consume(_ name: String, _ payloads: [BlockEncoder.Payload]) throws -> Int {
        if !payloads.isEmpty {
            let note = Consuming(
                name: name, lowerBound: writer.durableSequence, counts: payloads.map(\.recordCount))
            try AtomicFile.write(note.encoded(), to: notePath)
            try writer.appendBlocking(encoded: payloads)
        }
        try spool.remove(name)
        return payloads.reduce(0) { $0 + $1.recordCount }
    }

    /// Imported records from `start` to the journal's durable end.
    private func importedRecords(from start: UInt64) throws -> Int {
        var count = 0
        var blocks = try JournalReader(directory: JournalDirectory(path: writer.configuration.directory)).blocks(
            BlockSelection(from: start, until: writer.durableSequence))
        while let block = try blocks.next() {
            for index in 0..<block.count where block.sequence(at: index) >= start {
                if HitFlags(rawValue: block.flags[index]).contains(.imported) { count += 1 }
            }
        }
        return count
    }
}
