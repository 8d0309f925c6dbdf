#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A folder where a process that cannot open the journal (it has one writer, often `infinity
/// serve`) leaves encoded blocks for the process that holds it: how `infinity import access-log`
/// hands its hits to a running server.
///
/// A batch is written under a temporary name and fsynced (``write(_:name:classifiers:)``), then
/// made visible by a rename (``publish(_:)``); only published batches (`*.batch`) are taken, by a
/// ``SpoolConsumer`` in the process that holds the journal. Each batch holds whole blocks, encoded
/// by the producer (``BlockEncoder/payload(_:)``), which the consumer appends as they are. The
/// file format is in `Docs/journal-format.md` ("Spool").
public struct JournalSpool: Sendable {
    /// The folder (`<data>/spool`).
    public let directory: String

    /// `IMSP` read as a little-endian `UInt32`.
    static let magic: UInt32 = 0x5053_4D49
    /// The spool file format this build writes and reads.
    static let version: UInt16 = 1
    /// A published batch's file name ends in this.
    public static let batchSuffix = ".batch"
    /// A batch being written ends in this; it is never taken.
    public static let unpublishedSuffix = ".batch.tmp"
    /// Beside a batch the consumer cannot take: why, in one line.
    public static let refusedSuffix = ".refused"

    /// The spool in `directory` (created when the first batch is written).
    public init(directory: String) { self.directory = directory }

    /// The spool of the data folder at `dataDirectory` (`<data>/spool`).
    public init(dataDirectory: String) { self.init(directory: dataDirectory + "/spool") }

    /// A batch as read back: its blocks, and the classifier versions of the build that made them.
    public struct Batch: Sendable {
        /// The blocks, each to be appended as one block.
        public var payloads: [BlockEncoder.Payload]
        /// Versions of the classifiers of the build that made the records.
        public var classifiers: [String: String]
        /// The journal format the blocks were encoded for.
        public var formatVersion: UInt16

        /// Records in all blocks.
        public var recordCount: Int { payloads.reduce(0) { $0 + $1.recordCount } }
    }

    /// A new, unique batch name that sorts after those made before it: `<ms>-<tag>-<random>`.
    public static func newName(tag: String) -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let millis = Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000
        let digits = String(millis)
        let padded = String(repeating: "0", count: max(0, 14 - digits.count)) + digits
        let safe = String(tag.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }.prefix(80))
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return padded + "-" + safe + "-" + random
    }

    /// The path of batch `name` once published.
    public func path(_ name: String) -> String { directory + "/" + name + Self.batchSuffix }

    /// The path of batch `name` while it is written.
    public func unpublishedPath(_ name: String) -> String { directory + "/" + name + Self.unpublishedSuffix }

    /// The path of the note saying why batch `name` was refused.
    public func refusalPath(_ name: String) -> String { directory + "/" + name + Self.refusedSuffix }

    /// Writes `payloads` as batch `name`, unpublished, and fsyncs it: after this returns the batch
    /// is complete on disk, and ``publish(_:)`` makes it visible.
    public func write(_ payloads: [BlockEncoder.Payload], name: String, classifiers: [String: String]) throws {
        try FileSystem.createDirectory(directory)
        var header = ByteWriter(capacity: 256)
        header.append(littleEndian: Self.magic)
        header.append(littleEndian: Self.version)
        header.append(littleEndian: SegmentHeader.currentFormatVersion)
        header.append(littleEndian: UInt32(payloads.count))
        let sorted = classifiers.sorted { $0.key < $1.key }
        header.append(varint: UInt64(sorted.count))
        for (key, value) in sorted {
            header.append(lengthPrefixed: key)
            header.append(lengthPrefixed: value)
        }
        header.append(littleEndian: CRC32C.checksum(header.bytes))
        var bytes = header.bytes
        for payload in payloads { bytes.append(contentsOf: payload.block(firstSequence: 0).bytes) }
        let path = unpublishedPath(name)
        let file = try OpenFile(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        try bytes.withUnsafeBytes { try file.write($0, at: 0) }
        try file.sync()
    }

    /// Makes batch `name` visible to the consumer (a rename, then an fsync of the folder).
    public func publish(_ name: String) throws {
        try FileSystem.rename(unpublishedPath(name), to: path(name))
        try FileSystem.syncDirectory(directory)
    }

    /// Deletes batch `name` while it is still unpublished.
    public func discardUnpublished(_ name: String) throws {
        if FileSystem.kind(of: unpublishedPath(name)).exists { try FileSystem.remove(unpublishedPath(name)) }
    }

    /// Whether batch `name` is published and not yet taken.
    public func isWaiting(_ name: String) -> Bool { FileSystem.kind(of: path(name)).exists }

    /// Whether batch `name` is still unpublished.
    public func isUnpublished(_ name: String) -> Bool { FileSystem.kind(of: unpublishedPath(name)).exists }

    /// Why batch `name` was refused, if it was.
    public func refusal(_ name: String) -> String? {
        guard FileSystem.kind(of: refusalPath(name)).exists, let bytes = try? AtomicFile.read(refusalPath(name))
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Published batches, oldest first.
    public func published() throws -> [String] {
        guard FileSystem.kind(of: directory).isDirectory else { return [] }
        return try FileSystem.list(directory).filter { $0.hasSuffix(Self.batchSuffix) }
            .map { String($0.dropLast(Self.batchSuffix.count)) }.sorted()
    }

    /// Unpublished batches whose names start with `prefix`.
    public func unpublished(prefix: String = "") throws -> [String] {
        guard FileSystem.kind(of: directory).isDirectory else { return [] }
        return try FileSystem.list(directory).filter { $0.hasSuffix(Self.unpublishedSuffix) && $0.hasPrefix(prefix) }
            .map { String($0.dropLast(Self.unpublishedSuffix.count)) }.sorted()
    }

    /// Reads published batch `name`, checking every checksum.
    public func read(_ name: String) throws -> Batch {
        let path = path(name)
        let bytes = try AtomicFile.read(path)
        func damaged(_ what: String) -> JournalError {
            JournalError(
                .corrupt, "the spooled batch is damaged: \(what)", file: path,
                hint: "Delete it and run the import that made it again; its lines were not counted")
        }
        return try bytes.withUnsafeBytes { raw -> Batch in
            var reader = ByteReader(raw)
            do {
                guard try reader.read(UInt32.self) == Self.magic else { throw damaged("not a spool batch") }
                let version = try reader.read(UInt16.self)
                guard version == Self.version else {
                    throw JournalError(
                        .unsupportedVersion,
                        "the spooled batch has format \(version); this build reads \(Self.version)",
                        file: path, hint: "Run the same version of infinity for the import and for serve")
                }
                let formatVersion = try reader.read(UInt16.self)
                let blocks = Int(try reader.read(UInt32.self))
                let pairs = try reader.readCount(limit: 64, "classifiers")
                var classifiers: [String: String] = [:]
                for _ in 0..<pairs {
                    let key = try reader.readString(limit: 4096)
                    classifiers[key] = try reader.readString(limit: 4096)
                }
                let checked = reader.position
                let stored = try reader.read(UInt32.self)
                guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<checked])) == stored else {
                    throw damaged("its header's checksum does not match")
                }
                var payloads: [BlockEncoder.Payload] = []
                payloads.reserveCapacity(blocks)
                for index in 0..<blocks {
                    let start = reader.position
                    guard raw.count - start >= BlockHeader.size else { throw damaged("block \(index + 1) is cut off") }
                    let header: BlockHeader
                    switch BlockHeader.decode(UnsafeRawBufferPointer(rebasing: raw[start..<(start + BlockHeader.size)]))
                    {
                    case .success(let decoded): header = decoded
                    case .failure(let problem): throw damaged("block \(index + 1)'s header: \(problem)")
                    }
                    let end = start + BlockHeader.size + Int(header.compressedLength)
                    guard end <= raw.count else { throw damaged("block \(index + 1) is cut off") }
                    let compressed = Array(raw[(start + BlockHeader.size)..<end])
                    guard CRC32C.checksum(compressed) == header.payloadChecksum, header.codec == .independent else {
                        throw damaged("block \(index + 1)'s payload does not match its checksum")
                    }
                    payloads.append(BlockEncoder.Payload(header: header, compressed: compressed))
                    reader = ByteReader(raw, position: end)
                }
                guard reader.position == raw.count else { throw damaged("bytes after its last block") }
                return Batch(payloads: payloads, classifiers: classifiers, formatVersion: formatVersion)
            } catch let error as JournalError {
                throw error
            } catch {
                throw damaged("\(error)")
            }
        }
    }

    /// Runs `body` while no batch is being taken or handed over (the spool's `.lock`, which the
    /// consumer holds while it takes a batch and an import while it hands one over). A backup
    /// copies the import ledgers, the journal and the waiting batches under it, so that each
    /// batch is in exactly one of the copies and the ledgers' copy names it. A process that may
    /// not write the data folder (a backup run as another user) and finds no lock file runs
    /// `body` unlocked: no import could have handed anything over there.
    public func whileNoneIsTaken<T>(_ body: () throws -> T) throws -> T {
        let path = directory + "/" + Self.lockName
        try? FileSystem.createDirectory(directory)
        guard
            let lock = (try? FileLock.waiting(for: path, mode: 0o600))
                ?? (try? FileLock.waiting(for: path, create: false))
        else { return try body() }
        defer { lock.release() }
        return try body()
    }

    /// The lock file's name.
    static let lockName = ".lock"

    /// Takes the lock for taking batches if no one holds it (nil if a backup or an import does).
    func lockIfFree() throws -> FileLock? {
        try FileLock.ifFree(directory + "/" + Self.lockName, mode: 0o600)
    }

    /// Copies the waiting batches and the note of one being taken into `target` (a backup's
    /// spool), and removes from it those no longer waiting here. Call it inside
    /// ``whileNoneIsTaken(_:)``.
    public func copyWaiting(to target: JournalSpool) throws -> Int {
        let waiting = try published()
        var copied = 0
        if !waiting.isEmpty || FileSystem.kind(of: directory + "/" + SpoolConsumer.noteName).exists {
            try FileSystem.createDirectory(target.directory)
        }
        for name in waiting where !target.isWaiting(name) {
            try AtomicFile.write(try AtomicFile.read(path(name)), to: target.path(name), mode: 0o600)
            copied += 1
        }
        for name in try target.published() where !waiting.contains(name) { try target.remove(name) }
        let note = directory + "/" + SpoolConsumer.noteName
        if FileSystem.kind(of: note).exists {
            try AtomicFile.write(try AtomicFile.read(note), to: target.directory + "/" + SpoolConsumer.noteName)
        } else if FileSystem.kind(of: target.directory + "/" + SpoolConsumer.noteName).exists {
            try FileSystem.remove(target.directory + "/" + SpoolConsumer.noteName)
        }
        return copied
    }

    /// Removes taken batch `name` (and any refusal note), and fsyncs the folder, so that it cannot
    /// come back after a crash.
    func remove(_ name: String) throws {
        if FileSystem.kind(of: refusalPath(name)).exists { try FileSystem.remove(refusalPath(name)) }
        try FileSystem.remove(path(name))
        try FileSystem.syncDirectory(directory)
    }

    /// Notes why batch `name` cannot be taken (the batch stays, for a build that can take it).
    func refuse(_ name: String, because reason: String) throws {
        try AtomicFile.write(Array(reason.utf8), to: refusalPath(name))
    }
}

extension BlockEncoder.Payload {
    /// A payload read back from a block: its header's fields and its compressed bytes.
    init(header: BlockHeader, compressed: [UInt8]) {
        self.init(
            recordCount: Int(header.recordCount), compressed: compressed,
            uncompressedLength: Int(header.uncompressedLength), minTimestamp: header.minTimestamp,
            maxTimestamp: header.maxTimestamp, sites: header.sites, codec: header.codec, layout: header.layout,
            compressedHard: header.compressedHard)
    }
}
