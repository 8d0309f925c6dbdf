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

    /// Creates the database and the table of ``ClickHouseSchema`` when missing, and refuses a
    /// table of that name whose columns are not the schema's (made by hand, or by another build).
    public func prepare() async throws {
        try await execute("CREATE DATABASE IF NOT EXISTS \(database)")
        try await execute(ClickHouseSchema.createTable(database: database))
        let text = try await execute(
            "SELECT name, type FROM system.columns WHERE database = '\(database)' AND table = '\(ClickHouseSchema.table)' FORMAT TabSeparated"
        )
        let found = text.split(separator: "\n").map { $0.replacingOccurrences(of: "\t", with: " ") }
        let expected = ClickHouseSchema.columns.map { "\($0.name) \($0.type)" }
        guard found == expected else {
            throw ServerError(
                "the ClickHouse table \(database).\(ClickHouseSchema.table) does not have schema version \(ClickHouseSchema.version)'s columns",
                code: "clickhouse-schema",
                hint:
                    "Drop that table (it is a copy; `infinity replicate` refills it from the journal), or use another database with --clickhouse-database"
            )
        }
    }

    /// One session for all requests; it answers an authentication challenge (ClickHouse's 401 for
    /// a wrong user) by cancelling, so the request ends with an error instead of waiting.
    private static let session = URLSession(
        configuration: .ephemeral, delegate: ChallengeRefusal(), delegateQueue: nil)

    private func post(query: String, body: Data) async throws -> Data {
        let given = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var components = URLComponents()
        components.scheme = given?.scheme
        components.host = given?.host
        components.port = given?.port
        components.path = "/"
        var items = [URLQueryItem(name: "query", value: query)]
        // Credentials in the address (http://USER:PASSWORD@host:8123) go as ClickHouse's own parameters.
        if let user = given?.user {
            items.append(URLQueryItem(name: "user", value: user))
            if let password = given?.password { items.append(URLQueryItem(name: "password", value: password)) }
        }
        components.queryItems = items
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 60
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await Self.session.data(for: request)
        } catch let error as URLError where error.code == .userCancelledAuthentication || error.code == .cancelled {
            throw ServerError(
                "ClickHouse refused the user or password", code: "clickhouse-auth",
                hint: "Put them in the address given to --clickhouse: http://USER:PASSWORD@host:8123")
        } catch {
            throw ServerError(
                "cannot reach ClickHouse at \(url.absoluteString): \(error.localizedDescription)", code: "unavailable",
                hint: "Start it, or check the address given to --clickhouse")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            let message = String(decoding: data.prefix(500), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            if message.contains("Code: 516") || message.contains("Code: 192") || message.contains("Code: 193")
                || message.contains("Authentication failed")
            {
                throw ServerError(
                    "ClickHouse refused the user or password", code: "clickhouse-auth",
                    hint: "Put them in the address given to --clickhouse: http://USER:PASSWORD@host:8123")
            }
            throw ServerError("ClickHouse refused the request: \(message)", code: "clickhouse")
        }
        return data
    }
}

/// Cancels every authentication challenge: credentials go in the request itself, never by challenge.
// @unchecked Sendable: no stored state; URLSession calls it from its own queue.
private final class ChallengeRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}
