import Foundation
import Testing

@testable import Journal

@Suite("Bad input gets a clear error")
struct BadInputTests {
    private func openError(_ directory: String) -> JournalError? {
        do {
            _ = try JournalAppender(configuration: JournalConfiguration(directory: directory), logger: quietLogger)
            return nil
        } catch {
            return error as? JournalError
        }
    }

    private func readError(_ directory: String) -> JournalError? {
        do {
            _ = try Fixtures.readAll(directory)
            return nil
        } catch {
            return error as? JournalError
        }
    }

    @Test("a foreign file in the journal folder is named, for writers and readers")
    func foreignFile() throws {
        let directory = TemporaryDirectory()
        try Fixtures.writeJournal(Fixtures.generated(10), blockSize: 10, in: directory.journal)
        try "hello".write(toFile: directory.journal + "/notes.txt", atomically: true, encoding: .utf8)
        for error in [openError(directory.journal), readError(directory.journal)] {
            #expect(error?.code == .foreignFile)
            #expect(error?.file?.hasSuffix("notes.txt") == true)
            #expect(error?.hint != nil)
        }
    }

    @Test("a file with a segment's name but no segment header is refused as a damaged segment, with advice")
    func segmentNameForeignContent() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.journal, withIntermediateDirectories: true)
        try "not a segment at all".write(
            toFile: directory.journal + "/" + SegmentName.fileName(firstSequence: 0), atomically: true, encoding: .utf8)
        for error in [readError(directory.journal), openError(directory.journal)] {
            #expect(error?.code == .corrupt)
            #expect(error?.message.contains("damaged header") == true)
            #expect(error?.hint?.contains("--skip-corrupt") == true)
        }
    }

    @Test("a segment from a newer format version is refused with the version named")
    func newerVersion() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.journal, withIntermediateDirectories: true)
        let header = SegmentHeader(formatVersion: 9, createdAt: 0, firstSequence: 0, classifiers: [:]).encoded()
        try Data(header).write(
            to: URL(fileURLWithPath: directory.journal + "/" + SegmentName.fileName(firstSequence: 0)))
        for error in [openError(directory.journal), readError(directory.journal)] {
            #expect(error?.code == .unsupportedVersion)
            #expect(error?.message.contains("version 9") == true)
        }
    }

    @Test("an empty segment is refused, not read as an empty journal")
    func emptySegment() throws {
        let directory = TemporaryDirectory()
        try Fixtures.writeJournal(Fixtures.generated(10), blockSize: 10, in: directory.journal)
        _ = FileManager.default.createFile(
            atPath: directory.journal + "/" + SegmentName.fileName(firstSequence: 10), contents: Data())
        #expect(readError(directory.journal)?.code == .emptySegment)
        #expect(openError(directory.journal)?.code == .emptySegment)
    }

    @Test("a missing journal folder is named for readers")
    func missingFolder() {
        let error = readError("/nonexistent/infinity/journal")
        #expect(error?.code == .notFound)
        #expect(error?.hint?.contains("--data") == true)
    }

    @Test("a journal folder on a read-only file system is refused for writing with a clear error")
    func readOnly() throws {
        let directory = TemporaryDirectory()
        let folder = directory.path + "/ro"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            // Root ignores permission bits, so stage a real read-only file system.
            try #require(run("/bin/mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", folder]) == 0)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        }
        defer { if getuid() == 0 { _ = run("/bin/umount", [folder]) } }
        let error = openError(folder + "/journal")
        #expect(error?.code == .notWritable)
        #expect(error?.hint?.contains("write") == true)
    }
}
