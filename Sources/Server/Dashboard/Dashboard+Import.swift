import Foundation
import HTTPTypes
import Hummingbird
import Projections

extension Dashboard {
    /// The largest upload `POST /api/dashboard/import` takes (a few years of a busy site's
    /// Plausible export are a few megabytes zipped).
    static let maxImportBytes = 64 << 20

    /// `POST /api/dashboard/import?site=SITE&format=plausible-csv|analytics-csv&name=FILE`: the
    /// body is a Plausible export (zip or one of its CSV files) or a Google Analytics report (CSV),
    /// imported as `infinity import plausible|analytics` would (exactly once, days with hits left
    /// out). Owners only, with the CSRF token.
    func importHistory(_ request: Request) async throws -> Response {
        if let denied = await ownerOnly(request, what: "import history") { return denied }
        guard let imported = settings?.imported else {
            return Self.error(.serviceUnavailable, "this server cannot import history")
        }
        let query = request.uri.queryParameters
        let site = query["site"].map(String.init) ?? ""
        guard engine.worker.calendar.zones[site] != nil else {
            return Self.error(.notFound, "'\(site)' is not a registered site")
        }
        guard let format = AggregateImport.Format(rawValue: query["format"].map(String.init) ?? "plausible-csv") else {
            return Self.error(.badRequest, "format is plausible-csv or analytics-csv")
        }
        let name = query["name"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "upload"
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxImportBytes)
        } catch {
            return Self.error(
                .contentTooLarge,
                "the file is larger than \(Self.maxImportBytes >> 20) MB; import it with `infinity import` on the server"
            )
        }
        let bytes = Array(buffer: body)
        let worker = engine.worker
        let outcome: Result<ImportedStore.Outcome, Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result {
                        let read = try AggregateImport.read(format, named: [(name, bytes)])
                        return try imported.add(
                            site: site, source: format.rawValue, files: read.files, rows: read.rows,
                            nativeDays: try worker.daysWithHits(site: site))
                    })
            }
        }
        switch outcome {
        case .success(.alreadyImported(let record)):
            return Self.json(
                .ok,
                [
                    "already_imported": record.id,
                    "message": "these numbers were imported already, as import \(record.id)",
                ])
        case .success(.added(let record, let skipped)):
            logger.info("history imported in the dashboard", metadata: ["site": "\(site)", "import": "\(record.id)"])
            return Self.json(
                .ok,
                [
                    "imported": record.id, "tables": record.tables.map(\.table),
                    "rows": record.tables.reduce(0) { $0 + $1.rows }, "skipped_days": skipped.count,
                ])
        case .failure(let error as ProjectionError):
            return Self.error(.badRequest, error.description)
        case .failure(let error as ServerError):
            return Self.error(.badRequest, error.description)
        case .failure(let error):
            return Self.error(.internalServerError, ServerFailure.report(error, logger: logger))
        }
    }
}
