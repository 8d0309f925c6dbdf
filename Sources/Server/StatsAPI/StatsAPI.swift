import Dispatch
import Foundation
import Hummingbird
import Logging
import Query

/// The Stats API behind `POST /api/v2/query`: the query engine and the keys that may use it.
public struct StatsAPI: Sendable {
    /// The engine.
    public let engine: QueryEngine
    /// The bearer keys.
    public let keys: APIKeyStore

    let logger: Logger

    /// An API over `engine`, guarded by `keys`; failures of storage go to `logger` in full.
    public init(engine: QueryEngine, keys: APIKeyStore, logger: Logger = Logger(label: "infinity.stats")) {
        self.engine = engine
        self.keys = keys
        self.logger = logger
    }

    /// The largest request body accepted.
    static let maxBody = 64 * 1024

    /// Answers one request: 401 without a valid key, 403 for a site the key may not read, 400 for
    /// a malformed query (naming the field), 200 with the Stats API v2 response otherwise.
    func answer(_ request: Request) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let key = keys.authenticate(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else {
            var response = InfinityServer.errors(
                .unauthorized,
                [(nil, "send a Stats API key as `Authorization: Bearer KEY`; create one with `infinity keys create`")])
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBody)
        } catch {
            return InfinityServer.errors(.contentTooLarge, [(nil, "the query is larger than \(Self.maxBody) bytes")])
        }
        let engine = self.engine
        let data = Data(buffer: body)
        // Queries read files and fold days: run them on a Dispatch thread, not on the event loops.
        let outcome: Result<(QueryRequest, QueryResult), Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result {
                        let query = try QueryRequest(json: data, clockFor: engine.worker.calendar.clock(for:))
                        guard key.sites.isEmpty || key.sites.contains(query.site) else {
                            throw QueryError(.unknownSite, "this key may not read '\(query.site)'", field: "site_id")
                        }
                        return (query, try engine.run(query))
                    })
            }
        }
        switch outcome {
        case .success(let (query, result)):
            // `Accept: text/csv` asks for the rows as CSV (a header line, one line per row).
            let csv = request.acceptsCSV
            var headers = HTTPFields()
            headers[.contentType] = csv ? csvContentType : "application/json"
            let bytes = csv ? result.csv(for: query) : result.json(for: query)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: bytes)))
        case .failure(let error as QueryError) where error.code != .storage:
            let status: HTTPResponse.Status =
                error.code == .unknownSite && error.message.contains("may not read") ? .forbidden : .badRequest
            return InfinityServer.errors(status, [(error.field, error.message)])
        case .failure(let error):
            return InfinityServer.errors(.internalServerError, [(nil, ServerFailure.report(error, logger: logger))])
        }
    }
}

extension ByteBuffer {
    init(data: Data) {
        self.init(bytes: Array(data))
    }
}
