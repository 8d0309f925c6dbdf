import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Query

extension Dashboard {
    /// `POST /api/dashboard/export` `{"site_id", "date_range"}`: the site's daily numbers as
    /// Plausible's CSV tables in a zip (``PlausibleExport``), for whoever may read the site here
    /// (the same numbers the page shows).
    func exportTables(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        guard let site = object?["site_id"] as? String else {
            return Self.error(.badRequest, "send {\"site_id\": …, \"date_range\": …}")
        }
        if let denied = await authorize(request, site: site) { return denied }
        // Through a shared link, exports take turns with the link's queries (ten queries each).
        let viaLink = request.headers[HTTPField.Name("X-Share-Token")!] != nil
        if viaLink {
            guard await linkQueries.enter(timeout: .seconds(10)) else {
                var response = Self.error(.tooManyRequests, "this shared dashboard is busy; try again in a second")
                response.headers[.retryAfter] = "1"
                return response
            }
        }
        defer { if viaLink { linkQueries.leave() } }
        // The range as the Stats API reads it: the same request, asking for one metric.
        var question = object ?? [:]
        question["metrics"] = ["visitors"]
        let json = try JSONSerialization.data(withJSONObject: question)
        let engine = self.engine
        let outcome: Result<(ClosedRange<Int64>, [UInt8]), Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result {
                        let parsed = try QueryRequest(json: json, clockFor: engine.worker.calendar.clock(for:))
                        let days = try engine.run(parsed).days
                        return (days, try PlausibleExport.zip(site: site, days: days, engine: engine))
                    })
            }
        }
        switch outcome {
        case .success(let (days, archive)):
            var headers = Self.headers("application/zip")
            headers[.contentDisposition] =
                "attachment; filename=\"\(site)-plausible-\(PlausibleExport.compact(days.lowerBound))-\(PlausibleExport.compact(days.upperBound)).zip\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: archive)))
        case .failure(let error as QueryError) where error.code != .storage:
            return Self.json(.badRequest, ["errors": [["field": error.field ?? "", "message": error.message]]])
        case .failure(let error):
            return Self.error(.internalServerError, ServerFailure.report(error, logger: logger))
        }
    }
}
