import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A flood of connections must not take the server's file descriptors from the journal and the
/// rollups, nor leave clients hanging.
@Suite("connections past the limit", .serialized)
struct ConnectionLimitTests {
    static func hit(_ connection: HTTPConnection, _ path: String) throws -> Int {
        try connection.sendPageview(path, from: nil).status
    }

    @Test(
        "connections past --max-connections are closed as they arrive; open ones, later ones and the rollups work on"
    )
    func floodPastTheLimit() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--max-connections", "8", "--fold-interval", "1"])
        defer { _ = server.stop() }
        let first = try HTTPConnection(port: server.port)
        #expect(try Self.hit(first, "/before") == 202)

        // Seven more fill the limit (the first is one of the eight); each one after is refused.
        var flood: [HTTPConnection] = []
        for _ in 0..<20 { flood.append(try HTTPConnection(port: server.port)) }
        #expect(flood.last?.isClosedByPeer(within: 10) == true, "a connection past the limit was left hanging")
        #expect(try Self.hit(first, "/during") == 202, "an open connection stopped working")
        #expect(try ServerProcess.metric("infinity_connections_refused_total", from: first) == 13)
        #expect(server.log.contains("8 connections are open, the most --max-connections allows"), "\(server.log)")

        flood.removeAll()  // closes them
        var accepted = false
        #expect(
            try LiveAdministrationTests.eventually {
                let later = try HTTPConnection(port: server.port)
                accepted = (try? Self.hit(later, "/after")) == 202
                return accepted
            }, "no new connection was taken once the flood ended")
        // The projection worker still opens its files: the three hits reach the rollups.
        let durable = try ServerProcess.metric("infinity_journal_durable_sequence", from: first)
        #expect(
            try LiveAdministrationTests.eventually {
                try ServerProcess.metric("infinity_rollups_position", from: first) >= durable
            })
        let today = try ServerProcess.invoke([
            "query", "example.com", "--data", data, "--range", "today", "--metrics", "pageviews", "--format", "csv",
        ])
        #expect(today.output.split(separator: "\n").last == "3", "\(today.output)")
        #expect(server.stop() == 0)
    }

    @Test("serve raises a low soft open-file limit to the hard one, and sizes its connection limit from it")
    func openFileLimitRaised() throws {
        var limit = rlimit()
        #if os(Linux)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        #expect(getrlimit(resource, &limit) == 0)
        let hard = Int(min(limit.rlim_max, 1_048_576))
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, softOpenFiles: 64)
        defer { _ = server.stop() }
        let settings = try #require(server.log.split(separator: "\n").first { $0.contains("settings") })
        #expect(settings.contains("open_files=\(hard)"), "\(settings)")
        #expect(settings.contains("max_connections=\(max(16, min(16_384, hard - 256)))"), "\(settings)")
        #expect(server.stop() == 0)
    }
}
