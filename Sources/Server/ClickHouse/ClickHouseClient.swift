import Foundation
import Synchronization

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
        String(decoding: try await post(query: nil, body: Data(sql.utf8)), as: UTF8.self)
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

    /// Runs a read-only `SELECT` and waits for the answer, blocking the calling thread (callers run
    /// queries on Dispatch threads, never on the event loops or the concurrency pool). ClickHouse
    /// stops the query itself after `seconds` (its `max_execution_time`).
    public func select(_ sql: String, seconds: Double) throws -> String {
        try blocking(
            sql, settings: [("max_execution_time", String(max(1, Int(seconds.rounded(.up))))), ("readonly", "2")],
            timeout: seconds + 10)
    }

    /// Runs any statement and waits for the answer, blocking the calling thread, for at most `seconds`.
    @discardableResult
    public func run(_ sql: String, seconds: Double) throws -> String {
        try blocking(sql, settings: [], timeout: seconds)
    }

    private func blocking(_ sql: String, settings: [(String, String)], timeout: Double) throws -> String {
        // The statement is the body: a request always has one (ClickHouse 18.16 refuses a POST
        // without Content-Length, which an empty body can lack) and no URL length limit applies.
        let request = makeRequest(query: nil, body: Data(sql.utf8), settings: settings, timeout: timeout)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Data, Error>?>(nil)
        let task = Self.session.dataTask(with: request) { data, response, error in
            outcome.withLock { $0 = Result { try self.check(data: data, response: response, error: error) } }
            done.signal()
        }
        task.resume()
        done.wait()
        return String(decoding: try outcome.withLock { $0! }.get(), as: UTF8.self)
    }

    /// One session for all requests; it answers an authentication challenge (ClickHouse's 401 for
    /// a wrong user) by cancelling, so the request ends with an error instead of waiting.
    private static let session = URLSession(
        configuration: .ephemeral, delegate: ChallengeRefusal(), delegateQueue: nil)

    /// `query` in the URL and `body` as its data (an insert), or the statement as the body.
    private func post(query: String?, body: Data) async throws -> Data {
        let request = makeRequest(query: query, body: body, settings: [], timeout: 60)
        return try await withCheckedThrowingContinuation { continuation in
            Self.session.dataTask(with: request) { data, response, error in
                continuation.resume(with: Result { try self.check(data: data, response: response, error: error) })
            }.resume()
        }
    }

    /// `POST /?query=…&user=…&password=…&SETTING=…` with `body`.
    private func makeRequest(
        query: String?, body: Data, settings: [(String, String)], timeout: Double
    ) -> URLRequest {
        let given = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var components = URLComponents()
        components.scheme = given?.scheme
        components.host = given?.host
        components.port = given?.port
        components.path = "/"
        var items = query.map { [URLQueryItem(name: "query", value: $0)] } ?? []
        // Credentials in the address (http://USER:PASSWORD@host:8123) go as ClickHouse's own parameters.
        if let user = given?.user {
            items.append(URLQueryItem(name: "user", value: user))
            if let password = given?.password { items.append(URLQueryItem(name: "password", value: password)) }
        }
        items += settings.map { URLQueryItem(name: $0.0, value: $0.1) }
        components.queryItems = items
        var request = URLRequest(url: components.url!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = timeout
        return request
    }

    /// ClickHouse's answer, or the error it stands for, with the setting to fix named.
    private func check(data: Data?, response: URLResponse?, error: Error?) throws -> Data {
        if let error = error as? URLError, error.code == .userCancelledAuthentication || error.code == .cancelled {
            throw Self.refusedCredentials
        }
        if let error {
            throw ServerError(
                "cannot reach ClickHouse at \(address): \(error.localizedDescription)", code: "unavailable",
                hint: "Start it, or check the address given to --clickhouse")
        }
        let data = data ?? Data()
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            let message = String(decoding: data.prefix(500), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            if message.contains("Code: 516") || message.contains("Code: 192") || message.contains("Code: 193")
                || message.contains("Authentication failed")
            {
                throw Self.refusedCredentials
            }
            if message.contains("Code: 60,") || message.contains("Code: 81,") {
                throw ServerError(
                    "ClickHouse has no table \(database).\(ClickHouseSchema.table) yet", code: "clickhouse-empty",
                    hint: "Copy a journal into it first: infinity replicate --clickhouse \(address) --once")
            }
            if message.contains("Code: 159") || message.contains("TIMEOUT_EXCEEDED") {
                throw ServerError(
                    "ClickHouse stopped the query after its time budget", code: "clickhouse-timeout",
                    hint: "Ask for fewer days or a simpler filter")
            }
            throw ServerError("ClickHouse refused the request: \(message)", code: "clickhouse")
        }
        return data
    }

    /// The address without user and password, for messages.
    var address: String {
        "\(url.scheme ?? "http")://\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")"
    }

    private static let refusedCredentials = ServerError(
        "ClickHouse refused the user or password", code: "clickhouse-auth",
        hint: "Put them in the address given to --clickhouse: http://USER:PASSWORD@host:8123")
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
