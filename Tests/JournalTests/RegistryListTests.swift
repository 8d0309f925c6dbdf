import Foundation
import Synchronization
import Testing

@testable import Journal

/// Registry files (sites, users, keys, shared links, goals) are changed by the CLI beside a running
/// server and by several CLI commands at once: every change must survive the others.
@Suite("Registry files changed by several processes")
struct RegistryListTests {
    struct Entry: Codable, Sendable, Equatable {
        var name: String
    }

    static func list(_ directory: TemporaryDirectory) throws -> RegistryList<Entry> {
        try RegistryList(path: directory.path + "/keys.json", noun: "test", hint: "none")
    }

    static func add(_ name: String, to list: RegistryList<Entry>) throws {
        try list.update { entries in
            entries.append(Entry(name: name))
            return (true, ())
        }
    }

    @Test("a change made after another process changed the file keeps that process's change")
    func staleWriterKeepsTheOtherChange() throws {
        let directory = TemporaryDirectory()
        // Two processes that both read the file before either changed it (the server, and the CLI).
        let server = try Self.list(directory)
        let cli = try Self.list(directory)
        try Self.add("created by the CLI", to: cli)
        try Self.add("created in the dashboard", to: server)

        let names = try Self.list(directory).entries.map(\.name)
        #expect(names == ["created by the CLI", "created in the dashboard"])
        // The process that wrote last holds the file's entries, not only its own.
        #expect(server.entries.map(\.name) == names)
    }

    @Test("a removal made by a process that had not seen the other's addition keeps that addition")
    func staleRemovalKeepsTheAddition() throws {
        let directory = TemporaryDirectory()
        let first = try Self.list(directory)
        try Self.add("old", to: first)
        let second = try Self.list(directory)
        try Self.add("new", to: second)
        try first.update { entries in
            entries.removeAll { $0.name == "old" }
            return (true, ())
        }
        #expect(try Self.list(directory).entries.map(\.name) == ["new"])
    }

    @Test("many writers at once, each with its own view of the file, lose none of their entries")
    func concurrentWritersLoseNothing() throws {
        let directory = TemporaryDirectory()
        let writers = try (0..<4).map { _ in try Self.list(directory) }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: writers.count) { writer in
            for index in 0..<25 {
                do {
                    try Self.add("\(writer)-\(index)", to: writers[writer])
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let names = try Self.list(directory).entries.map(\.name)
        #expect(names.count == 100)
        #expect(Set(names).count == 100)
        // Each writer's own entries are in the order it added them.
        for writer in 0..<writers.count {
            #expect(names.filter { $0.hasPrefix("\(writer)-") } == (0..<25).map { "\(writer)-\($0)" })
        }
    }

    @Test("a lookup sees an entry another process added a moment ago, and not one it removed")
    func lookupSeesTheFileAsItIsNow() throws {
        let directory = TemporaryDirectory()
        let server = try Self.list(directory)
        let cli = try Self.list(directory)
        try Self.add("fresh", to: cli)
        #expect(server.entries.isEmpty, "memory stays as it was until someone looks")
        #expect(server.current.map(\.name) == ["fresh"])
        try cli.update { entries in
            entries.removeAll()
            return (true, ())
        }
        #expect(server.current.isEmpty)
    }

    @Test("a registry file in a folder that does not exist yet is created with its folder")
    func firstChangeCreatesTheFolder() throws {
        let directory = TemporaryDirectory()
        let list = try RegistryList<Entry>(path: directory.path + "/new/folder/users.json", noun: "test", hint: "none")
        try Self.add("first", to: list)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/new/folder/users.json"))
        #expect(
            try RegistryList<Entry>(path: directory.path + "/new/folder/users.json", noun: "test", hint: "none")
                .entries == [Entry(name: "first")])
    }
}
