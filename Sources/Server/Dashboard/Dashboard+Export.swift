import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Query

extension Dashboard {
    /// `POST /api/dashboard/export` `{"site_id", "date_range"}`: the site's daily numbers as
    /// Plausible's CSV tables in a zip (``PlausibleExport``), for whoever may read the site here
    /// (the same numbers the page shows); through a shared link it takes turns like a query.
    func exportTables(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        guard let site = object?["site_id"] as? String else {
            return Self.error(.badRequest, "send {\"site_id\": …, \"date_range\": …}")
        }
        if let denied = await authorize(request, site: site) { return denied }
        // The range as the Stats API reads it: the same request, asking for one metric.
        var question = object ?? [:]
        question["metrics"] = ["visitors"]
        let json = try JSONSerialization.data(withJSONObject: question)
        let engine = self.engine
        return await answering(request) {
            let parsed = try QueryRequest(json: json, clockFor: engine.worker.calendar.clock(for:))
            let days = try engine.run(parsed).days
            return (days, try PlausibleExport.zip(site: site, days: days, engine: engine))
        } respond: { (days: ClosedRange<Int64>, archive: [UInt8]) in
            var headers = Self.headers("application/zip")
            headers[.contentDisposition] =
                "attachment; filename=\"\(site)-plausible-\(PlausibleExport.compact(days.lowerBound))-\(PlausibleExport.compact(days.upperBound)).zip\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: archive)))
        }
    }
}
