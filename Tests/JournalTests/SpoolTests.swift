import Foundation
import Testing

@testable import Journal

@Suite("Spool: imported hits handed to the journal's writer")
struct SpoolTests {
    /// `count` generated hits marked imported, as `infinity import access-log` makes them.
    static func imported(_ count: Int, seed: UInt64) -> [Hit] {
        Fixtures.generated(count, seed: seed).map { hit in
            var hit = hit
            hit.flags.insert(.imported)
            return hit
        }
    }

    /// A spool in `directory` holding one published batch of `hits` in blocks of `blockSize`.
    static func spool(_ hits: [Hit], blockSize: Int, in directory: TemporaryDirectory, classifiers: [String: String])
        throws -> (JournalSpool, String, [BlockEncoder.Payload])
    {
        let spool = JournalSpool(dataDirectory: directory.path)
        let name = JournalSpool.newName(tag: "example.com")
        let payloads = try stride(from: 0, to: hits.count, by: blockSize).map {
            try BlockEncoder.payload(hits[$0..<min($0 + blockSize, hits.count)])
        }
        try spool.write(payloads, name: name, classifiers: classifiers)
        #expect(try !spool.published().contains(name), "an unpublished batch is never taken")
        try spool.publish(name)
        return (spool, name, payloads)
    }

    static let classifiers = ["ua-rules": "7", "referrer-lists": "3"]

    static func writer(_ directory: TemporaryDirectory) throws -> JournalWriter {
        try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal, classifiers: classifiers),
            logger: quietLogger)
    }

    static func storedImported(_ directory: TemporaryDirectory) throws -> [Hit] {
        try Fixtures.readAll(directory.journal).filter { $0.flags.contains(.imported) }
    }

    @Test("a spooled batch is appended once, between live records, and leaves the spool empty")
    func batchIsAppendedOnce() async throws {
        let directory = TemporaryDirectory()
        let batch = Self.imported(5000, seed: 3)
        let (spool, name, _) = try Self.spool(batch, blockSize: 2000, in: directory, classifiers: Self.classifiers)
        let writer = try Self.writer(directory)
        let live = Fixtures.generated(300, seed: 4)
        _ = try await writer.append(Array(live[..<150]))
        let consumer = SpoolConsumer(spool: spool, writer: writer, logger: quietLogger)
        #expect(try consumer.consumeAll() == batch.count)
        _ = try await writer.append(Array(live[150...]))
        #expect(try consumer.consumeAll() == 0, "a batch taken is not taken again")
        try await writer.close()
        #expect(!spool.isWaiting(name))
        #expect(difference(try Self.storedImported(directory), batch) == nil)
        #expect(try Fixtures.readAll(directory.journal).count == batch.count + live.count)
    }

    @Test(
        "a consumer stopped after any number of a batch's blocks landed stores the rest once",
        arguments: [0, 1, 2, 3])
    func interruptedConsumerStoresTheRest(landed: Int) async throws {
        let directory = TemporaryDirectory()
        let batch = Self.imported(5000, seed: 5)
        let (spool, name, payloads) = try Self.spool(
            batch, blockSize: 2000, in: directory, classifiers: Self.classifiers)
        #expect(payloads.count == 3)
        // The process that was taking the batch: it noted the journal's end, and `landed` of the
        // blocks reached the journal before it stopped; live hits went on meanwhile.
        let first = try Self.writer(directory)
        _ = try await first.append(Fixtures.generated(100, seed: 6))
        let consumer = SpoolConsumer(spool: spool, writer: first, logger: quietLogger)
        let note = SpoolConsumer.Consuming(
            name: name, lowerBound: first.durableSequence, counts: payloads.map(\.recordCount))
        try AtomicFile.write(note.encoded(), to: consumer.notePath)
        for payload in payloads.prefix(landed) {
            _ = try await withCheckedThrowingContinuation { continuation in
                first.append(encoded: [payload]) { continuation.resume(with: $0.mapError { $0 }) }
            }
            _ = try await first.append(Fixtures.generated(10, seed: UInt64(landed)))
        }
        try await first.close()
        #expect(spool.isWaiting(name))

        let second = try Self.writer(directory)
        let stored = try SpoolConsumer(spool: spool, writer: second, logger: quietLogger).consumeAll()
        try await second.close()
        #expect(stored == payloads.dropFirst(landed).reduce(0) { $0 + $1.recordCount })
        #expect(difference(try Self.storedImported(directory), batch) == nil, "after \(landed) blocks had landed")
        #expect(!spool.isWaiting(name))
    }

    @Test("a damaged batch, or one made by another build, stays in the spool with a note saying why")
    func batchesThatCannotBeTakenStay() async throws {
        let directory = TemporaryDirectory()
        let batch = Self.imported(500, seed: 8)
        let (spool, damaged, _) = try Self.spool(batch, blockSize: 500, in: directory, classifiers: Self.classifiers)
        try Damage.flipBit(spool.path(damaged), bit: Int64(200 * 8 + 3))
        let (_, foreign, _) = try Self.spool(
            batch, blockSize: 500, in: directory, classifiers: ["ua-rules": "6", "referrer-lists": "3"])
        let writer = try Self.writer(directory)
        let consumer = SpoolConsumer(spool: spool, writer: writer, logger: quietLogger)
        #expect(try consumer.consumeAll() == 0)
        #expect(try consumer.consumeAll() == 0, "a refused batch is not tried again and again")
        try await writer.close()
        #expect(spool.refusal(damaged)?.contains("damaged") == true)
        #expect(spool.refusal(foreign)?.contains("another version of infinity") == true)
        #expect(spool.isWaiting(damaged) && spool.isWaiting(foreign))
        #expect(try Self.storedImported(directory).isEmpty)

        // A server of the version that made the foreign batch takes it, and its note goes with it.
        let matching = try JournalWriter(
            configuration: JournalConfiguration(
                directory: directory.journal, classifiers: ["ua-rules": "6", "referrer-lists": "3"]),
            logger: quietLogger)
        #expect(try SpoolConsumer(spool: spool, writer: matching, logger: quietLogger).consumeAll() == batch.count)
        try await matching.close()
        #expect(!spool.isWaiting(foreign) && spool.refusal(foreign) == nil)
        #expect(difference(try Self.storedImported(directory), batch) == nil)
    }
}
