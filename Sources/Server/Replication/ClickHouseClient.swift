import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// ClickHouse over its HTTP interface (`POST /?query=…` with the data as the body), through
/// Foundation's URLSession. Errors carry ClickHouse's own message.
public struct ClickHouseClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:8123` (user and password as URL credentials, if any).
    public let url: URL
    /// The database the tables live in.
    public let database: String

    /// A client for the server at `url`; `database` is created when missing.
    public init(url: String, database: String = "infinity") throws {
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil
        else {
            throw ServerError(
                "'\(url)' is not a ClickHouse HTTP address", code: "invalid-argument",
                hint: "Give one like http://127.0.0.1:8123")
        }
        guard database.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !database.isEmpty else {
            throw ServerError("the database name may hold letters, digits and _ only", code: "invalid-argument")
        }
        self.url = parsed
        self.database = database
    }

    /// Runs a statement and returns ClickHouse's answer as text.
    @discardableResult
    public func execute(_ sql: String) async throws -> String {
        String(decoding: try await post(query: sql, body: Data()), as: UTF8.self)
    }

    /// Sends `body` as the data of `INSERT INTO … FORMAT RowBinary`.
    func insert(table: String, rowBinary body: [UInt8]) async throws {
        _ = try await post(query: "INSERT INTO \(database).\(table) FORMAT RowBinary", body: Data(body))
    }

    /// Creates the database and the table of ``ClickHouseSchema`` when missing.
    public func prepare() async throws {
        try await execute("CREATE DATABASE IF NOT EXISTS \(database)")
        try await execute(ClickHouseSchema.createTable(database: database))
    }

    private func post(query: String, body: Data) async throws -> Data {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.path = "/"
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "query", value: query)]
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 60
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw ServerError(
                "cannot reach ClickHouse at \(url.absoluteString): \(error.localizedDescription)", code: "unavailable",
                hint: "Start it, or check the address given to --clickhouse")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            let message = String(decoding: data.prefix(500), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            throw ServerError("ClickHouse refused the request: \(message)", code: "clickhouse")
        }
        return data
    }
}
