import Foundation
import Testing

/// Rollups damaged under a running server: `/healthz` says so (without a path) while the worker
/// cannot keep them current, and a rebuild run beside the server repairs them.
@Suite("damaged rollups under a running server", .serialized)
struct DamagedRollupsServeTests {
    @Test("a damaged CURRENT makes /healthz degraded with the reason; a rebuild beside serve makes it ok again")
    func damagedPointerIsReportedAndRepaired() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, arguments: ["--fold-interval", "1"])
        let connection = try HTTPConnection(port: server.port)
        #expect(try LiveAdministrationTests.hit(connection, domain: "example.com").status == 202)
        #expect(
            LiveAdministrationTests.eventually {
                FileManager.default.fileExists(atPath: data + "/rollups/CURRENT")
            }, "the worker made rollups")
        try Data("g999999\n".utf8).write(to: URL(fileURLWithPath: data + "/rollups/CURRENT"))
        var health = try connection.request("GET", "/healthz")
        let degraded = try LiveAdministrationTests.eventually {
            health = try connection.request("GET", "/healthz")
            return health.body.contains("\"degraded\"") && health.body.contains("rollups")
        }
        #expect(degraded, "\(health.body)")
        #expect(health.status == 200)
        #expect(!health.body.contains(data), "/healthz shows a path: \(health.body)")
        // The advice: a rebuild, beside the running server.
        let rebuild = try ServerProcess.run(["rebuild", "--data", data])
        #expect(rebuild.contains("Rebuilt"), "\(rebuild)")
        #expect(
            try LiveAdministrationTests.eventually {
                try connection.request("GET", "/healthz").body.contains("\"ok\"")
            })
        #expect(try LiveAdministrationTests.hit(connection, domain: "example.com").status == 202)
        #expect(server.stop(within: 15) != nil)
    }
}
