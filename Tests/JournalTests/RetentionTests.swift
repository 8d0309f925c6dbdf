import Testing

@testable import Journal

@Suite("Retention")
struct RetentionTests {
    @Test("deleting segments older than a cutoff removes exactly the old sealed ones, never the newest")
    func deleteOldSegments() throws {
        let directory = TemporaryDirectory()
        let day: Int64 = 86_400_000
        let base = 20_100 * day
        // Ten days, 100 hits a day: segments roll at each UTC midnight.
        let hits = (0..<10).flatMap { d in
            (0..<100).map {
                Hit(timestamp: base + Int64(d) * day + Int64($0) * 60_000, site: "a.example", visitorID: UInt64($0))
            }
        }
        try Fixtures.writeJournal(hits, blockSize: 50, in: directory.journal)
        let journal = JournalDirectory(path: directory.journal)
        #expect(try journal.segments().count == 10)
        let deleted = try JournalRetention(directory: journal).deleteSegments(olderThan: base + 7 * day)
        #expect(deleted.count == 7)
        let remaining = try Fixtures.readAll(directory.journal)
        #expect(difference(remaining, Array(hits[700...])) == nil)
        #expect(remaining.allSatisfy { $0.timestamp >= base + 7 * day })
        // The newest segment stays even when everything is older than the cutoff.
        try JournalRetention(directory: journal).deleteSegments(olderThan: base + 100 * day)
        #expect(try journal.segments().count == 1)
        // Appending continues the sequence after retention.
        let appender = try JournalAppender(
            configuration: JournalConfiguration(directory: directory.journal), logger: quietLogger)
        #expect(appender.nextSequence == 1000)
        try appender.close()
    }
}
