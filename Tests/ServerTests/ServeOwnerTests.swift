import Foundation
import InfinityTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sudo infinity serve` on the service user's data folder must not leave files the service
/// cannot use when it runs as itself again.
@Suite("serve started as root on another user's data folder")
struct ServeOwnerTests {
    static let owner: uid_t = 65_534

    @Test(
        "serve started as root runs as the data folder's owner, and every file it writes is that user's",
        .enabled(if: geteuid() == 0, "only root can give a folder to another user and start serve as root")
    )
    func serveBecomesTheOwner() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(chown(data, Self.owner, Self.owner) == 0)
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        defer { _ = server.stop() }
        let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        let uids = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        #expect(uids?.split(separator: "\t").dropFirst().allSatisfy { $0 == "\(Self.owner)" } == true, "\(uids ?? "")")
        let connection = try HTTPConnection(port: server.port)
        #expect(try connection.sendPageview("/as-owner").status == 202)
        let durable = try ServerProcess.metric("infinity_journal_durable_sequence", from: connection)
        #expect(
            try LiveAdministrationTests.eventually {
                try ServerProcess.metric("infinity_rollups_position", from: connection) >= durable
            })
        #expect(server.stop() == 0)
        #expect(try FileOwners.notOwned(by: Self.owner, in: data) == [], "files serve left to root")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: data).contains { $0.hasPrefix("journal/") })
    }
}
