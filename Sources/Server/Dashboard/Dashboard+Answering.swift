import Dispatch
import HTTPTypes
import Hummingbird
import Query

extension Dashboard {
    /// Runs the query work of one request and answers with it: through a shared link, in turn with
    /// the link's other questions (two at a time, 32 waiting up to 10 s, then `429`); on a Dispatch
    /// thread, off the event loop; a malformed question is `400` with its field, anything else a
    /// logged `500`.
    func answering<T: Sendable>(
        _ request: Request, _ work: @escaping @Sendable () throws -> T, respond: (T) -> Response
    ) async -> Response {
        let viaLink = request.headers[HTTPField.Name("X-Share-Token")!] != nil
        if viaLink {
            guard await linkQueries.enter(timeout: .seconds(10)) else {
                var response = Self.error(.tooManyRequests, "this shared dashboard is busy; try again in a second")
                response.headers[.retryAfter] = "1"
                return response
            }
        }
        defer { if viaLink { linkQueries.leave() } }
        let outcome: Result<T, Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { try work() }) }
        }
        switch outcome {
        case .success(let value):
            return respond(value)
        case .failure(let error as QueryError) where error.code != .storage:
            return Self.json(.badRequest, ["errors": [["field": error.field ?? "", "message": error.message]]])
        case .failure(let error):
            return Self.error(.internalServerError, ServerFailure.report(error, logger: logger))
        }
    }
}
