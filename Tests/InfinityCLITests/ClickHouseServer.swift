import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real ClickHouse servers the replication tests use: the shared one `make test` starts
/// (`INFINITY_CLICKHOUSE`), or one of the test's own, started and killed by the test.
struct ClickHouseServer {
    let url: String
    /// The folder of a server this test started (nil for the shared one).
    let folder: String?

    static let script = BuiltBinary.packageRoot.appendingPathComponent("Scripts/clickhouse-local.sh").path

    /// The shared server; the test fails with what to do when it is not running.
    static func shared() throws -> ClickHouseServer {
        let url = try #require(
            ProcessInfo.processInfo.environment["INFINITY_CLICKHOUSE"],
            "no ClickHouse for the tests: run them with `make test` (it starts one), or `make clickhouse` and INFINITY_CLICKHOUSE=http://127.0.0.1:18123"
        )
        return ClickHouseServer(url: url, folder: nil)
    }

    /// A server of this test's own on `port` (and the next two), with its data in a new folder;
    /// with `cluster`, it knows a cluster of that name whose shards are the local servers on `shards`.
    static func own(port: Int, cluster: String? = nil, shards: [Int] = []) throws -> ClickHouseServer {
        let folder = NSTemporaryDirectory() + "infinity-clickhouse-\(UUID().uuidString.prefix(8))"
        let server = ClickHouseServer(
            url: "http://127.0.0.1:\(port)", folder: folder,
            clusterArguments: cluster.map { [$0] + shards.map(String.init) } ?? [])
        try server.start()
        return server
    }

    init(url: String, folder: String?, clusterArguments: [String] = []) {
        self.url = url
        self.folder = folder
        self.clusterArguments = clusterArguments
    }

    /// The cluster name and shard ports passed to the start script.
    let clusterArguments: [String]

    func start() throws {
        guard let folder else { return }
        let port = url.split(separator: ":").last.map(String.init) ?? ""
        let status = try Self.shell([Self.script, "start", folder, port] + clusterArguments)
        try #require(status == 0, "ClickHouse did not start (see \(folder)/log)")
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    func kill() throws {
        guard let folder,
            let pid = Int32(
                try String(contentsOfFile: folder + "/pid", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        Foundation.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        try? FileManager.default.removeItem(atPath: folder + "/pid")
    }

    func stop() {
        guard let folder else { return }
        _ = try? Self.shell([Self.script, "stop", folder])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `sql` and returns the answer (TabSeparated unless the query says otherwise).
    func query(_ sql: String) async throws -> String {
        var components = URLComponents(string: url)!
        components.queryItems = [URLQueryItem(name: "query", value: sql)]
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.httpBody = Data()
        let (data, response) = try await URLSession.shared.data(for: request)
        let text = String(decoding: data, as: UTF8.self)
        try #require((response as? HTTPURLResponse)?.statusCode == 200, "\(sql): \(text)")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func shell(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
