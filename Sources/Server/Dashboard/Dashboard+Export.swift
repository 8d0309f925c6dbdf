import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Query

extension Dashboard {
    /// `POST /api/dashboard/export` `{"site_id", "date_range", "format"}`: the site's daily numbers as
    /// Plausible's CSV tables in a zip (``PlausibleExport``), for whoever may read the site here
    /// (the same numbers the page shows); through a shared link it takes turns like a query.
    func exportTables(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        guard let site = object?["site_id"] as? String else {
            return Self.error(.badRequest, "send {\"site_id\": …, \"date_range\": …}")
        }
        if let denied = await authorize(request, site: site) { return denied }
        if object?["format"] as? String == "parquet" {
            return await exportHits(request, site: site, question: object ?? [:])
        }
        // The range as the Stats API reads it: the same request, asking for one metric.
        var question = object ?? [:]
        question["metrics"] = ["visitors"]
        question["format"] = nil
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

    /// The most hits the dashboard's hits download holds (about 25 MB of Parquet); more are
    /// exported with `infinity export` on the server, which streams them to a file.
    static let maxDownloadHits = 2_000_000

    /// `{"format": "parquet"}`: the site's anonymized hits of the range as a Parquet file, for
    /// owners only (a viewer or a shared link reads numbers, not hits).
    func exportHits(_ request: Request, site: String, question: [String: Any]) async -> Response {
        if let denied = await ownerOnly(request, what: "download hits") { return denied }
        var question = question
        question["metrics"] = ["visitors"]
        question["format"] = nil
        let engine = self.engine
        guard let json = try? JSONSerialization.data(withJSONObject: question) else {
            return Self.error(.badRequest, "send {\"site_id\": …, \"date_range\": …, \"format\": \"parquet\"}")
        }
        return await answering(request) { () -> (ClosedRange<Int64>, [UInt8]?) in
            let parsed = try QueryRequest(json: json, clockFor: engine.worker.calendar.clock(for:))
            let days = try engine.run(parsed).days
            var hits = SiteHits(
                journal: engine.worker.journal, site: site, days: days, clock: engine.worker.calendar.clock(for: site),
                erasedBelow: engine.worker.calendar.erasures[site] ?? 0)
            return (days, try HitParquetExport.bytes(of: &hits, limit: Self.maxDownloadHits)?.bytes)
        } respond: { (days: ClosedRange<Int64>, file: [UInt8]?) in
            guard let file else {
                return Self.error(
                    .contentTooLarge,
                    "this range has more than \(Self.maxDownloadHits) hits; export it on the server with `infinity export \(site) --format parquet --output FILE`"
                )
            }
            var headers = Self.headers("application/vnd.apache.parquet")
            headers[.contentDisposition] =
                "attachment; filename=\"\(site)-hits-\(PlausibleExport.compact(days.lowerBound))-\(PlausibleExport.compact(days.upperBound)).parquet\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file)))
        }
    }
}
