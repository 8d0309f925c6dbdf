import Foundation
import InfinityTestSupport
import Journal
import Projections
import Testing

@Suite struct RebuildTests {
    /// Every file of the current generation, by path relative to it.
    static func files(data: String) throws -> [String: Data] {
        let generation = try #require(try RollupStore(dataDirectory: data).current())
        var result: [String: Data] = [:]
        let root = URL(fileURLWithPath: generation.path)
        for case let url as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)! {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if !isDirectory.boolValue {
                result[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
            }
        }
        return result
    }

    @Test func rebuildingTwiceGivesByteIdenticalFiles() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 10, perDay: 400)
        let first = try Fixtures.rebuild(data: data.path, options: RebuildOptions(jobs: 2))
        let before = try Self.files(data: data.path)
        let second = try Fixtures.rebuild(data: data.path, options: RebuildOptions(jobs: 1))
        let after = try Self.files(data: data.path)
        #expect(first.generation.name != second.generation.name)
        #expect(before.count > 30)
        #expect(before == after)
        // The old generation is gone once the new one is current.
        let names = try FileManager.default.contentsOfDirectory(atPath: data.path + "/rollups").filter {
            $0.hasPrefix("g")
        }
        #expect(names == [second.generation.name])
    }

    /// A live server's journal is chains of small linked blocks; the rebuild splits them between
    /// threads at chain starts, and must count exactly what full blocks of the same records count.
    @Test func smallLinkedBlocksRebuildToTheSameRollupsAsFullBlocks() throws {
        let small = TemporaryDirectory()
        let full = TemporaryDirectory()
        let hits = try Fixtures.writeJournal(data: small.path, days: 3, perDay: 4_000, blockSize: 13)
        try Fixtures.append(hits, data: full.path, blockSize: 8_192)
        _ = try Fixtures.rebuild(data: full.path, options: RebuildOptions(jobs: 1))
        let expected = try Fixtures.rollups(data: full.path)
        #expect(expected.count >= 3)
        for jobs in [1, 2, 3] {
            _ = try Fixtures.rebuild(data: small.path, options: RebuildOptions(jobs: jobs))
            #expect(try Fixtures.rollups(data: small.path) == expected, "jobs \(jobs)")
        }
    }

    @Test func rollupsFoldedLiveWhileHitsArriveEqualARebuild() throws {
        let data = TemporaryDirectory()
        let hits = Fixtures.generator().allHits(firstDay: Fixtures.firstDay, days: 6, countPerSite: 300)
        let worker = Fixtures.worker(data: data.path)
        var reports: [ProjectionWorker.Report] = []
        let chunk = hits.count / 12 + 1
        for start in stride(from: 0, to: hits.count, by: chunk) {
            try Fixtures.append(Array(hits[start..<min(start + chunk, hits.count)]), data: data.path, blockSize: 250)
            reports.append(try worker.catchUp())
        }
        #expect(reports.first?.rebuilt == true)
        #expect(reports.dropFirst().allSatisfy { !$0.rebuilt && !$0.days.isEmpty })
        #expect(reports.contains { !$0.added.isEmpty }, "some catch-ups added only the new records to a kept day")
        let rebuilt = try Fixtures.expectLiveRollupsEqualARebuild(data: data.path)
        #expect(rebuilt.values.reduce(0) { $0 + $1.records } == Int64(hits.count))
    }

    /// Kept open days take hits that arrive out of time order, late by hours, or at the same
    /// millisecond, in many small catch-ups, and still equal a rebuild of the same journal.
    @Test func keptOpenDaysTakingHitsOutOfOrderEqualARebuild() throws {
        let data = TemporaryDirectory()
        let hits = Fixtures.disordered(
            Fixtures.generator(seed: 11).allHits(firstDay: Fixtures.firstDay, days: 2, countPerSite: 400), seed: 5,
            every: 10
        ).hits
        let worker = Fixtures.worker(data: data.path)
        var added = 0
        for start in stride(from: 0, to: hits.count, by: 97) {
            try Fixtures.append(Array(hits[start..<min(start + 97, hits.count)]), data: data.path, blockSize: 40)
            added += try worker.catchUp().added.count
        }
        #expect(added > 20, "the kept days were used")
        try Fixtures.expectLiveRollupsEqualARebuild(data: data.path)
    }

    @Test(
        "a rebuild that fails on a full disk leaves no unfinished generation behind, and the current rollups stand",
        .enabled(if: Tmpfs.available, "mounting a tiny tmpfs needs root (CI runs as root)"))
    func aRebuildOnAFullDiskCleansUp() throws {
        let directory = TemporaryDirectory()
        let data = directory.path
        try Fixtures.writeJournal(data: data, days: 3, perDay: 300)
        let disk = try #require(Tmpfs(at: data + "/rollups", size: "512k"))
        defer { disk.unmount() }
        let rollups = disk.path
        _ = try Fixtures.rebuild(data: data)
        let before = try Self.files(data: data)
        let used = before.values.reduce(0) { $0 + $1.count }
        // Fill the disk but for less than one generation of these rollups.
        let filler = rollups + "/filler"
        var attributes = statvfs()
        try #require(statvfs(rollups, &attributes) == 0)
        let free = Int(attributes.f_bavail) * Int(attributes.f_frsize)
        try Data(count: max(0, free - used / 2)).write(to: URL(fileURLWithPath: filler))
        #expect(throws: (any Error).self) { try Fixtures.rebuild(data: data) }
        let generations = try FileManager.default.contentsOfDirectory(atPath: rollups).filter { $0.hasPrefix("g") }
        #expect(generations.count == 1, "unfinished generations left: \(generations)")
        #expect(try Self.files(data: data) == before, "the current rollups are untouched")
        // With room again, the rebuild succeeds.
        try FileManager.default.removeItem(atPath: filler)
        _ = try Fixtures.rebuild(data: data)
        #expect(try Self.files(data: data) == before)
    }

    @Test(
        "damaged rollups do not stop the rebuild their errors advise: a bad CURRENT or manifest, days beyond the journal kept",
        arguments: ["CURRENT names nothing", "CURRENT is garbage", "MANIFEST is garbage"])
    func aRebuildRepairsDamagedRollupPointers(damage: String) throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 12, perDay: 200, blockSize: 100)
        let store = RollupStore(dataDirectory: data.path)
        let worker = Fixtures.worker(data: data.path)
        try worker.catchUp()
        let before = try Fixtures.rollups(data: data.path)
        // Old journal segments go; their days live on only in the rollups.
        let now = Fixtures.firstDay + 12 * 86_400_000
        _ = try Retention(journalDays: 6, rollupDays: nil).apply(now: now, worker: worker, logger: Fixtures.quiet)
        let current = try #require(try store.current())
        switch damage {
        case "CURRENT names nothing":
            try Data("g999999\n".utf8).write(to: URL(fileURLWithPath: store.root + "/CURRENT"))
        case "CURRENT is garbage":
            try Data([0xFF, 0x00, 0x2F]).write(to: URL(fileURLWithPath: store.root + "/CURRENT"))
        default: try Data("garbage".utf8).write(to: URL(fileURLWithPath: current.path + "/MANIFEST"))
        }
        #expect(throws: (any Error).self, "readers see the damage") {
            _ = try store.current()?.manifest()
        }
        _ = try Fixtures.rebuild(data: data.path)
        let after = try Fixtures.rollups(data: data.path)
        #expect(after.keys.sorted() == before.keys.sorted(), "days the journal no longer has were kept")
        for (key, rollup) in before { #expect(after[key]?.hasSameNumbers(as: rollup) == true, "\(key)") }
    }

    @Test("rollups ahead of the journal (restored beside an older journal) are recounted, so new records count")
    func rollupsAheadOfTheJournalAreRecounted() throws {
        let data = TemporaryDirectory()
        let hits = try Fixtures.writeJournal(data: data.path, days: 4, perDay: 200, blockSize: 100)
        let worker = Fixtures.worker(data: data.path)
        try worker.catchUp()
        // The journal loses its newest segment (an older copy of it came back), then takes new hits.
        let journal = JournalDirectory(dataDirectory: data.path)
        let last = try #require(try journal.segments().last)
        _ = chmod(last.path, 0o644)
        try FileManager.default.removeItem(atPath: last.path)
        let end = try JournalReader(directory: journal).endSequence()
        #expect(end < UInt64(hits.count))
        let later = Fixtures.generator(seed: 99).allHits(
            firstDay: Fixtures.firstDay + 4 * 86_400_000, days: 1, countPerSite: 50)
        try Fixtures.append(later, data: data.path)
        let report = try worker.catchUp()
        #expect(report.rebuilt, "the worker noticed and recounted")
        let live = try Fixtures.rollups(data: data.path)
        let pageviews = live.values.reduce(Int64(0)) { $0 + $1.totals[DayRollup.wholeDay].pageviews }
        let kept = Int64((try Fixtures.readAll(data: data.path)).filter { $0.name == Hit.pageview }.count)
        #expect(pageviews == kept, "every page view the journal holds is counted, the new ones too")
        try Fixtures.expectLiveRollupsEqualARebuild(data: data.path)
    }

    @Test func aCorruptBlockStopsTheRebuildWithFileAndOffsetOrIsSkippedAndCounted() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 3, perDay: 500, blockSize: 300)
        var headers = try JournalReader(directory: JournalDirectory(dataDirectory: data.path)).headers()
        var entries: [HeaderIterator.Entry] = []
        while let entry = try headers.next() { entries.append(entry) }
        let victim = entries[entries.count / 2]
        let segment = victim.segment
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: segment.path)
        // Damage one byte in the middle of the block's payload.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: segment.path))
        try handle.seek(toOffset: UInt64(victim.offset) + 64 + UInt64(victim.header.compressedLength / 2))
        let byte = try #require(try handle.read(upToCount: 1)).first!
        try handle.seek(toOffset: UInt64(victim.offset) + 64 + UInt64(victim.header.compressedLength / 2))
        try handle.write(contentsOf: Data([byte ^ 0x5A]))
        try handle.close()

        #expect {
            try Fixtures.rebuild(data: data.path)
        } throws: { error in
            let error = error as? ProjectionError
            return error?.file == segment.path && error?.offset == victim.offset
                && error?.hint?.contains("--skip-corrupt") == true
        }
        #expect(try RollupStore(dataDirectory: data.path).current() == nil)

        // The victim is lost, and so are the linked blocks after it in its chain (compressed
        // against it); the next independent block or segment reads again.
        let index = try #require(entries.firstIndex { $0.offset == victim.offset && $0.segment.path == segment.path })
        let lost =
            [victim] + entries[(index + 1)...].prefix { $0.segment.path == segment.path && $0.header.codec == .linked }
        let lostRecords = lost.reduce(0) { $0 + UInt64($1.header.recordCount) }
        let report = try Fixtures.rebuild(data: data.path, options: RebuildOptions(skipCorrupt: true))
        #expect(report.damaged.map(\.offset) == lost.map(\.offset))
        #expect(report.lostRecords == lostRecords)
        let folded = try Fixtures.rollups(data: data.path).values.reduce(0) { $0 + $1.records }
        #expect(folded == report.records - Int64(lostRecords))
    }

    @Test func aRollupOfAnotherFormatVersionIsRebuiltNotMisread() throws {
        let data = TemporaryDirectory()
        try Fixtures.writeJournal(data: data.path, days: 2, perDay: 200)
        _ = try Fixtures.rebuild(data: data.path)
        let generation = try #require(try RollupStore(dataDirectory: data.path).current())
        let key = try #require(try generation.keys().first)
        let path = generation.file(for: key)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[8] = 99  // a format version from the future
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            try generation.read(key)
        } throws: { ($0 as? ProjectionError)?.code == .staleFormat }
        try generation.write(RollupManifest(formatVersion: 99, position: 0))
        let worker = Fixtures.worker(data: data.path)
        #expect(try worker.catchUp().rebuilt)
        let fresh = try #require(try RollupStore(dataDirectory: data.path).current())
        #expect(try fresh.read(key)?.records ?? 0 > 0)
    }

    @Test func retentionDeletesOldJournalSegmentsAndOldRollupsButRebuildKeepsWhatItCannotRecompute() throws {
        let data = TemporaryDirectory()
        // One segment per UTC day (the writer rolls at UTC midnight, between blocks), sealed as it
        // rolls; blocks of 100 records span well under a day, so a kept segment starts at most a
        // day before the cutoff.
        let hits = try Fixtures.writeJournal(data: data.path, days: 12, perDay: 200, blockSize: 100)
        let worker = Fixtures.worker(data: data.path)
        try worker.catchUp()
        let before = try Fixtures.rollups(data: data.path)
        let now = Fixtures.firstDay + 12 * 86_400_000
        let report = try Retention(journalDays: 6, rollupDays: nil).apply(
            now: now, worker: worker, logger: Fixtures.quiet)
        #expect(report.segments.count >= 2)
        let cutoff = now - 6 * 86_400_000
        let left = try Fixtures.readAll(data: data.path)
        #expect(left.allSatisfy { $0.timestamp >= cutoff - 86_400_000 })
        #expect(left.count < hits.count)

        // A rebuild recomputes only whole days it still has; older ones are kept as they were.
        _ = try Fixtures.rebuild(data: data.path)
        let after = try Fixtures.rollups(data: data.path)
        #expect(after.keys.sorted() == before.keys.sorted())
        for (key, rollup) in before { #expect(after[key]?.hasSameNumbers(as: rollup) == true, "\(key)") }

        // Rollup retention deletes old days, and a rebuild does not bring them back.
        let pruned = try Retention(journalDays: nil, rollupDays: 3).apply(
            now: now, worker: worker, logger: Fixtures.quiet)
        #expect(!pruned.days.isEmpty)
        _ = try Fixtures.rebuild(data: data.path, options: RebuildOptions(rollupDays: 3, now: now))
        let remaining = try Fixtures.rollups(data: data.path)
        #expect(remaining.keys.allSatisfy { key in !pruned.days.contains(key) })
        #expect(remaining.count == before.count - pruned.days.count)
    }
}
