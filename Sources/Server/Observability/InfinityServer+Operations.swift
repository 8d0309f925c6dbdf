import Foundation
import HTTPTypes
import Hummingbird
import Ingest
import Journal
import NIOCore

/// `/healthz` and `/metrics`: what an operator's monitoring reads.
extension InfinityServer {

    /// `GET /healthz` (no login): `ok`; `degraded` (200) when journal records are unreadable and
    /// left out of the numbers, or the rollups could not be brought up to date in the last round;
    /// `failing` (503) when the journal cannot take hits. Reasons name segment files at most, never
    /// a path of this machine (the log has the details).
    func health() -> Response {
        let (durable, queued) = (writer.durableSequence, writer.queueDepth)
        var journal: [String: Any] = ["durable_sequence": durable, "queue_depth": queued]
        var body: [String: Any] = [:]
        var status = HTTPResponse.Status.ok
        if let failure = writer.failure {
            // The journal cannot take hits any more (a failed write or fsync): say so, and why.
            body["status"] = "failing"
            body["errors"] = [failure.message]  // the message names no file; the log has it
            status = .serviceUnavailable
        } else if let projections, projections.damagedRecords > 0 || projections.lastError != nil {
            // Answers fold what the rollups lack from the journal, so they stay current, but slower.
            body["status"] = "degraded"
            if projections.damagedRecords > 0 {
                journal["damaged_records"] = projections.damagedRecords
                journal["damage"] = projections.damage
            }
            if let error = projections.lastError {
                body["rollups"] = [
                    "error": error, "hint": "see the server log; `infinity rebuild` repairs damaged rollups",
                ]
            }
        } else {
            body["status"] = "ok"
        }
        body["journal"] = journal
        if let replication {
            var replicated: [String: Any] = [
                "position": replication.position,
                "lag_records": durable > replication.position ? durable - replication.position : 0,
            ]
            if let error = replication.error {
                replicated["error"] = error
                if body["status"] as? String == "ok" { body["status"] = "degraded" }
            }
            body["replication"] = replicated
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `GET /metrics`: Prometheus's text format.
    func metrics() -> Response {
        let body = serverMetrics.render(
            ingest: pipeline.counters.snapshot, durable: writer.durableSequence, queued: writer.queueDepth,
            projections: projections, replication: replication, appenders: writer.configuration.appenders,
            connections: connections)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
