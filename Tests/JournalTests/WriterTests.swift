import Foundation
import Synchronization
import Testing

@testable import Journal

@Suite("Group-commit writer")
struct WriterTests {
    @Test("concurrent appenders get distinct, contiguous positions and find their records there")
    func concurrentAppends() async throws {
        let directory = TemporaryDirectory()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        let pool = Fixtures.generated(2000, seed: 21)
        let results = try await withThrowingTaskGroup(of: [(Range<UInt64>, [Hit])].self) { group in
            for task in 0..<40 {
                group.addTask {
                    var mine: [(Range<UInt64>, [Hit])] = []
                    for round in 0..<25 {
                        let start = (task * 50 + round * 2) % (pool.count - 10)
                        let hits = Array(pool[start..<(start + 1 + (task + round) % 5)])
                        mine.append((try await writer.append(hits), hits))
                    }
                    return mine
                }
            }
            var all: [(Range<UInt64>, [Hit])] = []
            for try await part in group { all += part }
            return all
        }
        try await writer.close()
        let sorted = results.sorted { $0.0.lowerBound < $1.0.lowerBound }
        var expected: UInt64 = 0
        for (range, hits) in sorted {
            #expect(range.lowerBound == expected)
            #expect(range.count == hits.count)
            expected = range.upperBound
        }
        let stored = try Fixtures.readAll(directory.journal)
        #expect(stored.count == Int(expected))
        for (range, hits) in results { #expect(Array(stored[Int(range.lowerBound)..<Int(range.upperBound)]) == hits) }
        // Group commit: 1,000 appends share far fewer blocks (and fsyncs).
        let stats = try JournalStats(directory: JournalDirectory(path: directory.journal))
        #expect(stats.blocks < 1000)
    }

    @Test("64 blocking appenders on plain OS threads are acknowledged only once durable, and close waits")
    func blockingAppends() throws {
        let directory = TemporaryDirectory()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        let pool = Fixtures.generated(6400, seed: 8)
        let positions = Mutex<[Range<UInt64>]>([])
        let problems = Mutex<[String]>([])
        let group = DispatchGroup()
        for thread in 0..<64 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for i in 0..<100 {
                    do {
                        let range = try writer.appendBlocking([pool[thread * 100 + i]])
                        // Acknowledged means durable: the writer's watermark has passed it.
                        if writer.durableSequence < range.upperBound {
                            problems.withLock { $0.append("\(range) acknowledged before it was durable") }
                        }
                        positions.withLock { $0.append(range) }
                    } catch {
                        problems.withLock { $0.append("append failed: \(error)") }
                    }
                }
            }
        }
        group.wait()
        #expect(problems.withLock { $0 }.isEmpty, "\(problems.withLock { $0.prefix(3) })")
        try writer.closeBlocking()
        let all = positions.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(all.count == 6400)
        #expect(all.map(\.lowerBound) == (0..<6400).map(UInt64.init))
        #expect(Set(try Fixtures.readAll(directory.journal)) == Set(pool))
        #expect(throws: JournalError.self) { try writer.appendBlocking([pool[0]]) }
    }

    @Test("a lingering writer writes a block as soon as it is full, and a lone record once the delay ends")
    func lingerEndsAtAFullBlockOrTheDeadline() throws {
        let directory = TemporaryDirectory()
        let delay = Duration.seconds(1)
        let writer = try JournalWriter(
            configuration: JournalConfiguration(
                directory: directory.journal, commit: CommitPolicy(maxRecords: 16, maxDelay: delay)),
            logger: quietLogger)
        let clock = ContinuousClock()
        // A lone record waits out the delay (the writer is not woken per record, but its deadline holds).
        var start = clock.now
        try writer.appendBlocking(Fixtures.generated(1, seed: 3))
        let lone = clock.now - start
        #expect(lone >= delay, "the writer waited for more records")
        #expect(lone < .seconds(5), "and did not sleep past its deadline")
        // Records that fill a block while it lingers are written at once, not at the deadline.
        let hits = Fixtures.generated(16, seed: 4)
        start = clock.now
        // The first record starts the linger (the writer is woken for an empty queue's first
        // record); the rest arrive while it lingers, whenever the writer thread gets to run.
        try writer.enqueue(Array(hits[0..<1]))
        for hit in hits[1..<15] { try writer.enqueue([hit]) }
        try writer.appendBlocking([hits[15]])
        #expect(clock.now - start < delay, "a full block does not wait for the deadline")
        try writer.closeBlocking()
        #expect(try Fixtures.readAll(directory.journal).count == 17)
    }

    /// A writer in `directory` that lingers `delay` for a fuller block, told of two open appenders.
    private static func lingeringWriter(_ directory: TemporaryDirectory, delay: Duration) throws -> (
        JournalWriter, ConcurrentAppenders
    ) {
        let appenders = ConcurrentAppenders()
        appenders.opened()
        appenders.opened()
        var configuration = JournalConfiguration(directory: directory.journal, commit: CommitPolicy(maxDelay: delay))
        configuration.appenders = appenders
        return (try JournalWriter(configuration: configuration, logger: quietLogger), appenders)
    }

    @Test("a lingering writer cuts the block once every appender waits for it, and not while one may still add")
    func lingerEndsWhenEveryAppenderWaits() async throws {
        let directory = TemporaryDirectory()
        let (writer, appenders) = try Self.lingeringWriter(directory, delay: .seconds(30))
        let hits = Fixtures.generated(3, seed: 5)
        // Two appenders, both waiting: the block is cut at once, one block for both (were the
        // delay left to run out, both would still share a block, but nothing would be cut early).
        async let first = writer.append([hits[0]])
        async let second = writer.append([hits[1]])
        let positions = try await [first, second]
        #expect(Set(positions.map(\.lowerBound)) == [0, 1])
        #expect(appenders.blocksCutEarly == 1)
        // One connection left: its lone record does not wait for company.
        appenders.closed()
        _ = try await writer.append([hits[2]])
        #expect(appenders.blocksCutEarly == 2)
        try await writer.close()
        let segment = try #require(try Fixtures.segmentPaths(directory.journal).first)
        #expect(try Fixtures.blockOffsets(of: segment).map(\.header.recordCount) == [2, 1])

        // Two connections, one waiting: the other may still add, so the block waits out its delay.
        let other = TemporaryDirectory()
        let (patient, two) = try Self.lingeringWriter(other, delay: .milliseconds(200))
        _ = try await patient.append([hits[0]])
        #expect(two.blocksCutEarly == 0, "a block was cut while another appender could still add to it")
        try await patient.close()
    }

    @Test("periodic syncs: records are stored before their fsync, which follows within the interval")
    func periodicSyncAnswersBeforeTheFsync() throws {
        let directory = TemporaryDirectory()
        let synced = DispatchSemaphore(value: 0)
        let syncs = Mutex(0)
        var configuration = JournalConfiguration(
            directory: directory.journal, commit: CommitPolicy(sync: .periodic, syncInterval: .milliseconds(20)))
        configuration.syncObserver = { _ in
            syncs.withLock { $0 += 1 }
            synced.signal()
        }
        let writer = try JournalWriter(configuration: configuration, logger: quietLogger)
        try writer.appendBlocking(Fixtures.generated(10, seed: 3))
        // Nothing else arrives: the writer, idle, still syncs the block once it is due.
        #expect(synced.wait(timeout: .now() + 30) == .success, "the written block was never fsynced")
        #expect(syncs.withLock { $0 } == 1, "one fsync for one block")
        try writer.closeBlocking()
        #expect(try Fixtures.readAll(directory.journal).count == 10)
    }

    @Test("periodic syncs: an append is answered without waiting for the fsync")
    func periodicSyncDoesNotHoldAnswers() throws {
        let directory = TemporaryDirectory()
        let syncs = Mutex(0)
        var configuration = JournalConfiguration(
            directory: directory.journal, commit: CommitPolicy(sync: .periodic, syncInterval: .seconds(3600)))
        configuration.syncObserver = { _ in syncs.withLock { $0 += 1 } }
        let writer = try JournalWriter(configuration: configuration, logger: quietLogger)
        let answered = DispatchSemaphore(value: 0)
        let result = Mutex<Result<JournalWriter.Positions, JournalError>?>(nil)
        writer.append(Fixtures.generated(5, seed: 8)) { outcome in
            result.withLock { $0 = outcome }
            answered.signal()
        }
        // An answer that waited for the fsync would come in an hour.
        #expect(answered.wait(timeout: .now() + 30) == .success, "the append waited for its fsync")
        #expect(try result.withLock { $0 }?.get() == 0..<5)
        #expect(syncs.withLock { $0 } == 0, "no fsync before the interval")
        try writer.closeBlocking()
        #expect(try Fixtures.readAll(directory.journal).count == 5)
    }

    @Test("a full queue refuses new records at once instead of growing memory")
    func boundedQueue() async throws {
        let directory = TemporaryDirectory()
        // What the writer reports of each block it writes and each fsync (what /metrics shows).
        let blocks = Mutex<[Int]>([])
        let syncs = Mutex<[Double]>([])
        var configuration = JournalConfiguration(directory: directory.journal, queueCapacity: 100)
        configuration.blockObserver = { bytes in blocks.withLock { $0.append(bytes) } }
        configuration.syncObserver = { seconds in syncs.withLock { $0.append(seconds) } }
        let writer = try JournalWriter(configuration: configuration, logger: quietLogger)
        #expect {
            try writer.enqueue(Fixtures.generated(101))
        } throws: { ($0 as? JournalError)?.code == .overloaded }
        try writer.enqueue(Fixtures.generated(100))
        try await writer.flush()
        #expect(writer.durableSequence == 100)
        let reported = blocks.withLock { $0 }
        #expect(reported.count == 1 && reported[0] > 0, "one block")
        #expect(syncs.withLock { $0.count } == 1, "fsynced")
        try await writer.close()
    }

    @Test("a writer with other classifier versions seals the active segment and starts one that names its own")
    func classifierVersionsStartANewSegment() throws {
        let directory = TemporaryDirectory()
        try Fixtures.writeJournal(Fixtures.generated(10), blockSize: 10, in: directory.journal)  // classifiers test=1
        let appender = try JournalAppender(
            configuration: JournalConfiguration(directory: directory.journal, classifiers: ["ua-rules": "2"]),
            logger: quietLogger)
        _ = try appender.append(Fixtures.generated(5, seed: 9)[...])
        try appender.close()
        let segments = try JournalDirectory(path: directory.journal).segments()
        #expect(segments.count == 2)
        var headers = try JournalReader(directory: JournalDirectory(path: directory.journal)).headers()
        var seen: [[String: String]] = []
        while let entry = try headers.next() { seen.append(entry.segmentHeader.classifiers) }
        #expect(seen == [["test": "1"], ["ua-rules": "2"]])
        // The same versions keep appending to the same segment.
        let again = try JournalAppender(
            configuration: JournalConfiguration(directory: directory.journal, classifiers: ["ua-rules": "2"]),
            logger: quietLogger)
        _ = try again.append(Fixtures.generated(5, seed: 10)[...])
        try again.close()
        #expect(try JournalDirectory(path: directory.journal).segments().count == 2)
    }

    @Test("the writer's thread shows as infinity-writer in top -H, and answers appenders from it")
    func namedThread() async throws {
        let directory = TemporaryDirectory()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        let answered = Mutex<(name: String?, thread: pthread_t)?>(nil)
        // A completion runs on the writer's own thread.
        let finished = DispatchSemaphore(value: 0)
        writer.append(Fixtures.generated(2, seed: 6)) { _ in
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            answered.withLock { $0 = (name, pthread_self()) }
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 60) == .success, "the append was never answered")
        try await writer.close()
        let seen = try #require(answered.withLock { $0 })
        #expect(seen.name == "infinity-writer")
        #expect(seen.thread != pthread_self())
    }

    @Test("a second writer on the same journal is refused")
    func exclusiveWriter() async throws {
        let directory = TemporaryDirectory()
        let writer = try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        #expect {
            _ = try JournalWriter(
                configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        } throws: { ($0 as? JournalError)?.code == .locked }
        try await writer.close()
        let again = try JournalWriter(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        try await again.close()
    }

    @Test("segments roll at the size limit and at UTC midnight, and rolled segments are sealed read-only")
    func rolling() throws {
        let directory = TemporaryDirectory()
        let day: Int64 = 86_400_000
        let base = 20_000 * day
        var hits: [Hit] = []
        for i in 0..<600 {
            hits.append(Hit(timestamp: base + Int64(i) * 1000, site: "a.example", visitorID: UInt64(i)))
        }
        for i in 0..<10 { hits.append(Hit(timestamp: base + day + Int64(i), site: "a.example", visitorID: UInt64(i))) }
        try Fixtures.writeJournal(hits, blockSize: 10, in: directory.journal, segmentSizeLimit: 4096)
        let segments = try JournalDirectory(path: directory.journal).segments()
        #expect(segments.count > 2)
        for segment in segments.dropLast() {
            let mode = try cast(
                FileManager.default.attributesOfItem(atPath: segment.path)[.posixPermissions], to: NSNumber.self)
            #expect(mode.intValue & 0o222 == 0, "\(segment.name) should be read-only")
            #expect(try Damage.size(segment.path) <= 4096 + 1024)
        }
        // The first block of the new UTC day starts a new segment.
        let last = segments[segments.count - 1]
        #expect(last.firstSequence == 600)
        #expect(difference(try Fixtures.readAll(directory.journal), hits) == nil)
        #expect(segments.map(\.name) == segments.map(\.name).sorted())
    }

    /// Appends 50 records at a time to `writer` until an append fails; the records acknowledged
    /// before, and the error.
    private func fillUntilFailure(_ writer: JournalWriter) async -> ([Hit], JournalError?) {
        var acknowledged: [Hit] = []
        for round in UInt64(0)..<1000 {
            let hits = Fixtures.awkward(50, seed: round)
            do {
                _ = try await writer.append(hits)
                acknowledged += hits
            } catch let error as JournalError {
                return (acknowledged, error)
            } catch {
                return (acknowledged, JournalError(.io, "\(error)"))
            }
        }
        return (acknowledged, nil)
    }

    @Test(
        "a full disk fails the appenders of that block, refuses appends for a pause, and keeps everything acknowledged",
        .enabled(if: Tmpfs.available, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func diskFull() async throws {
        let directory = TemporaryDirectory()
        let disk = try #require(Tmpfs(at: directory.path + "/tiny", size: "256k"))
        defer { disk.unmount() }
        let mount = disk.path
        let journal = mount + "/journal"
        var configuration = JournalConfiguration(directory: journal)
        configuration.diskFullRetry = .seconds(3600)
        let writer = try JournalWriter(configuration: configuration, logger: quietLogger)
        let (acknowledged, failure) = await fillUntilFailure(writer)
        #expect(failure?.code == .diskFull)
        #expect(failure?.hint?.contains("disk is full") == true)
        #expect(writer.failure?.code == .diskFull, "the writer reports the full disk (for /healthz)")
        // Within the pause an append is refused at once, without a write.
        await #expect(throws: JournalError.self) { _ = try await writer.append(Fixtures.awkward(1, seed: 7)) }
        #expect(writer.queueDepth == 0)
        try await writer.close()
        // Reopening works, and every acknowledged record is there, nothing more.
        #expect(difference(try Fixtures.readAll(journal), acknowledged) == nil)
        let report = try JournalVerifier(directory: JournalDirectory(path: journal)).verify()
        #expect(report.isClean)
    }

    @Test(
        "for tools, a full disk stops the writer, so a flush after queued records reports it",
        .enabled(if: Tmpfs.available, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func diskFullStopsToolsWriter() async throws {
        let directory = TemporaryDirectory()
        let disk = try #require(Tmpfs(at: directory.path + "/tiny", size: "256k"))
        defer { disk.unmount() }
        let mount = disk.path
        let journal = mount + "/journal"
        // The default configuration, as `import` and `generate` use it: queue, then flush.
        let writer = try JournalWriter(configuration: JournalConfiguration(directory: journal), logger: quietLogger)
        var flushed: [Hit] = []
        var failure: JournalError?
        for round in UInt64(0)..<1000 where failure == nil {
            let hits = Fixtures.awkward(50, seed: round)
            do {
                try writer.enqueue(hits)
                try await writer.flush()
                flushed += hits
            } catch let error as JournalError {
                failure = error
            }
        }
        #expect(failure?.code == .diskFull)
        await #expect(throws: JournalError.self, "the writer stays stopped") { try await writer.flush() }
        await #expect(throws: JournalError.self) { try await writer.close() }
        #expect(difference(try Fixtures.readAll(journal), flushed) == nil)
    }

    @Test(
        "once a full disk has room again, the same writer stores records without a restart",
        .enabled(if: Tmpfs.available, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func diskFullThenRoom() async throws {
        let directory = TemporaryDirectory()
        let disk = try #require(Tmpfs(at: directory.path + "/tiny", size: "256k"))
        defer { disk.unmount() }
        let mount = disk.path
        // Something else on the disk that the operator can delete.
        let other = mount + "/other-file"
        try Data(count: 96 << 10).write(to: URL(fileURLWithPath: other))
        let journal = mount + "/journal"
        var configuration = JournalConfiguration(directory: journal)
        configuration.diskFullRetry = .zero  // every append after the failure tries to write
        let writer = try JournalWriter(configuration: configuration, logger: quietLogger)
        var (acknowledged, failure) = await fillUntilFailure(writer)
        #expect(failure?.code == .diskFull)
        // A blocking appender hears that its own records were dropped (it does not wait for their
        // positions, which later records are given again).
        #expect(throws: JournalError.self) { try writer.appendBlocking(Fixtures.awkward(50, seed: 5000)) }
        try FileManager.default.removeItem(atPath: other)
        let after = Fixtures.awkward(50, seed: 6000)
        _ = try await writer.append(after)
        acknowledged += after
        let blocking = Fixtures.awkward(50, seed: 6001)
        try writer.appendBlocking(blocking)
        acknowledged += blocking
        #expect(writer.failure == nil, "/healthz is ok again once a block was written")
        try await writer.close()
        #expect(difference(try Fixtures.readAll(journal), acknowledged) == nil)
        let report = try JournalVerifier(directory: JournalDirectory(path: journal)).verify()
        #expect(report.isClean)
    }
}

/// Runs a program and returns its exit status.
func run(_ program: String, _ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
