import Foundation
import HTTPTypes
import Hummingbird
import Ingest
import Journal
import NIOCore

/// `/healthz` and `/metrics`: what an operator's monitoring reads.
extension InfinityServer {

    /// `GET /healthz` (no login): `ok`; `degraded` (200) when journal records are unreadable and
    /// left out of the numbers; `failing` (503) when the journal cannot take hits. Reasons name
    /// segment files at most, never a path of this machine (the log has the details).
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
        } else if let projections, projections.damagedRecords > 0 {
            body["status"] = "degraded"
            journal["damaged_records"] = projections.damagedRecords
            journal["damage"] = projections.damage
        } else {
            body["status"] = "ok"
        }
        body["journal"] = journal
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func metrics() -> Response {
        let counts = pipeline.counters.snapshot
        var lines = [
            "# HELP infinity_hits_accepted_total Hits stored in the journal.",
            "# TYPE infinity_hits_accepted_total counter",
            "infinity_hits_accepted_total \(counts.accepted)",
            "# HELP infinity_events_dropped_total Events dropped by policy, by reason.",
            "# TYPE infinity_events_dropped_total counter",
        ]
        for reason in DropReason.allCases {
            lines.append("infinity_events_dropped_total{reason=\"\(reason.rawValue)\"} \(counts.dropped[reason] ?? 0)")
        }
        lines += [
            "# HELP infinity_events_invalid_total Events rejected as invalid.",
            "# TYPE infinity_events_invalid_total counter",
            "infinity_events_invalid_total \(counts.invalid)",
            "# HELP infinity_events_failed_total Events not stored because of a fault on this server.",
            "# TYPE infinity_events_failed_total counter",
            "infinity_events_failed_total \(counts.failed)",
            "# HELP infinity_journal_durable_sequence Records durable in the journal.",
            "# TYPE infinity_journal_durable_sequence gauge",
            "infinity_journal_durable_sequence \(writer.durableSequence)",
            "# HELP infinity_journal_queue_depth Records waiting for the journal writer.",
            "# TYPE infinity_journal_queue_depth gauge",
            "infinity_journal_queue_depth \(writer.queueDepth)",
        ]
        let statistics = writer.statistics
        lines += [
            "# HELP infinity_journal_bytes_written_total Bytes appended to journal segments since start.",
            "# TYPE infinity_journal_bytes_written_total counter",
            "infinity_journal_bytes_written_total \(statistics.bytesWritten)",
            "# HELP infinity_journal_fsync_seconds How long each journal block's fsync took.",
            "# TYPE infinity_journal_fsync_seconds histogram",
        ]
        for (bound, count) in zip(WriterStatistics.bucketBounds, statistics.fsyncBuckets) {
            lines.append("infinity_journal_fsync_seconds_bucket{le=\"\(bound)\"} \(count)")
        }
        lines += [
            "infinity_journal_fsync_seconds_bucket{le=\"+Inf\"} \(statistics.fsyncCount)",
            "infinity_journal_fsync_seconds_sum \(statistics.fsyncSeconds)",
            "infinity_journal_fsync_seconds_count \(statistics.fsyncCount)",
        ]
        if let projections {
            let durable = writer.durableSequence
            lines += [
                "# HELP infinity_rollups_position Journal records folded into the rollups.",
                "# TYPE infinity_rollups_position gauge",
                "infinity_rollups_position \(projections.position)",
                "# HELP infinity_rollups_lag_records Durable journal records not folded yet.",
                "# TYPE infinity_rollups_lag_records gauge",
                "infinity_rollups_lag_records \(durable > projections.position ? durable - projections.position : 0)",
                "# HELP infinity_rollups_catch_up_seconds How long the last fold of new records took.",
                "# TYPE infinity_rollups_catch_up_seconds gauge",
                "infinity_rollups_catch_up_seconds \(projections.lastDuration)",
                "# HELP infinity_journal_damaged_records Journal records that cannot be read and are left out of the numbers.",
                "# TYPE infinity_journal_damaged_records gauge",
                "infinity_journal_damaged_records \(projections.damagedRecords)",
                "# HELP infinity_rollups_failures_total Folds that failed (retried).",
                "# TYPE infinity_rollups_failures_total counter",
                "infinity_rollups_failures_total \(projections.failures)",
            ]
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
    }
}
