import Ingest
import Journal
import Prometheus
import Synchronization

/// `/metrics`: a Prometheus registry (swift-prometheus), so the exposition format is right by
/// construction and other Swift server libraries' metrics (Hummingbird's requests, through
/// swift-metrics) appear beside ours.
///
/// The journal writer reports each block as it is written (``recordBlock(bytes:)``) and each fsync
/// (``recordSync(seconds:)``).
/// Counts kept elsewhere as running totals (the ingest counters, the projection worker's
/// status) are brought into the registry when it is read: counters move up by what was added
/// since, gauges are set.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` shows; `MetricsSystem` may be bootstrapped with it.
    public let registry = PrometheusCollectorRegistry()

    private let accepted: Counter
    private let invalid: Counter
    private let failed: Counter
    private let dropped: [DropReason: Counter]
    private let bytesWritten: Counter
    private let fsync: DurationHistogram
    private let durableSequence: Gauge
    private let queueDepth: Gauge
    private let rollupsPosition: Gauge
    private let rollupsLag: Gauge
    private let catchUpSeconds: Gauge
    private let damagedRecords: Gauge
    private let replicationPosition: Gauge
    private let replicationLag: Gauge
    private let replicationFailures: Counter
    private let rollupFailures: Counter
    private let spoolWaiting: Gauge
    private let spoolStored: Counter
    private let blocksCutEarly: Counter
    private let connections: Gauge
    private let connectionsRefused: Counter
    /// The totals already added to the counters above.
    private let reported = Mutex<[String: Int]>([:])

    /// A metric's full name and help text (the name already carries its unit, `_total`, `_seconds`).
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The fsync-duration buckets, in seconds.
    static let fsyncBuckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1]

    /// The metrics of one server.
    public init() {
        accepted = registry.makeCounter(
            descriptor: Self.named("infinity_hits_accepted_total", "Hits stored in the journal."))
        invalid = registry.makeCounter(
            descriptor: Self.named("infinity_events_invalid_total", "Events rejected as invalid."))
        failed = registry.makeCounter(
            descriptor: Self.named(
                "infinity_events_failed_total", "Events not stored because of a fault on this server."))
        var dropped: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = registry.makeCounter(
                descriptor: Self.named("infinity_events_dropped_total", "Events dropped by policy, by reason."),
                labels: [("reason", reason.rawValue)])
        }
        self.dropped = dropped
        bytesWritten = registry.makeCounter(
            descriptor: Self.named(
                "infinity_journal_bytes_written_total", "Bytes appended to journal segments since start."))
        fsync = registry.makeDurationHistogram(
            descriptor: Self.named("infinity_journal_fsync_seconds", "How long each journal block's fsync took."),
            buckets: Self.fsyncBuckets.map { .nanoseconds(Int64($0 * 1e9)) })
        durableSequence = registry.makeGauge(
            descriptor: Self.named("infinity_journal_durable_sequence", "Records durable in the journal."))
        queueDepth = registry.makeGauge(
            descriptor: Self.named("infinity_journal_queue_depth", "Records waiting for the journal writer."))
        rollupsPosition = registry.makeGauge(
            descriptor: Self.named("infinity_rollups_position", "Journal records folded into the rollups."))
        rollupsLag = registry.makeGauge(
            descriptor: Self.named("infinity_rollups_lag_records", "Durable journal records not folded yet."))
        catchUpSeconds = registry.makeGauge(
            descriptor: Self.named("infinity_rollups_catch_up_seconds", "How long the last fold of new records took."))
        damagedRecords = registry.makeGauge(
            descriptor: Self.named(
                "infinity_journal_damaged_records",
                "Journal records that cannot be read and are left out of the numbers."))
        replicationPosition = registry.makeGauge(
            descriptor: Self.named(
                "infinity_replication_position", "Journal records of this node that ClickHouse holds."))
        replicationLag = registry.makeGauge(
            descriptor: Self.named(
                "infinity_replication_lag_records", "Durable journal records not in ClickHouse yet."))
        replicationFailures = registry.makeCounter(
            descriptor: Self.named("infinity_replication_failures_total", "Replication passes that failed (retried)."))
        rollupFailures = registry.makeCounter(
            descriptor: Self.named("infinity_rollups_failures_total", "Folds that failed (retried)."))
        spoolWaiting = registry.makeGauge(
            descriptor: Self.named(
                "infinity_spool_batches_waiting", "Batches of imported hits waiting in the spool to be stored."))
        spoolStored = registry.makeCounter(
            descriptor: Self.named(
                "infinity_spool_hits_stored_total", "Imported hits stored from the spool (imports beside serve)."))
        blocksCutEarly = registry.makeCounter(
            descriptor: Self.named(
                "infinity_journal_blocks_cut_early_total",
                "Journal blocks written before the commit delay ran out, because every connection waited for them."))
        connections = registry.makeGauge(
            descriptor: Self.named("infinity_connections_open", "Open connections to the server."))
        connectionsRefused = registry.makeCounter(
            descriptor: Self.named(
                "infinity_connections_refused_total",
                "Connections closed as they arrived because --max-connections were open."))
    }

    /// One look at the spool: batches still waiting after it, and hits it stored.
    public func recordSpool(waiting: Int, stored: Int) {
        spoolWaiting.set(Int64(waiting))
        if stored > 0 { spoolStored.increment(by: Int64(stored)) }
    }

    /// One journal block was written (the writer's block observer).
    public func recordBlock(bytes: Int) { bytesWritten.increment(by: Int64(bytes)) }

    /// Written blocks were fsynced (the writer's sync observer).
    public func recordSync(seconds: Double) { fsync.record(.nanoseconds(Int64(seconds * 1e9))) }

    /// Brings running totals into the registry and returns the exposition text.
    func render(
        ingest: IngestCounters.Snapshot, durable: UInt64, queued: Int, projections: ProjectionStatus?,
        replication: ReplicationStatus? = nil, appenders: ConcurrentAppenders? = nil,
        connections limit: ConnectionLimit
    ) -> [UInt8] {
        reported.withLock { reported in
            func add(_ counter: Counter, _ key: String, _ total: Int) {
                let delta = total - (reported[key] ?? 0)
                if delta > 0 { counter.increment(by: Int64(delta)) }
                reported[key] = max(total, reported[key] ?? 0)
            }
            add(accepted, "accepted", ingest.accepted)
            add(invalid, "invalid", ingest.invalid)
            add(failed, "failed", ingest.failed)
            for (reason, counter) in dropped { add(counter, "dropped." + reason.rawValue, ingest.dropped[reason] ?? 0) }
            if let projections { add(rollupFailures, "rollupFailures", projections.failures) }
            if let replication { add(replicationFailures, "replicationFailures", replication.failures) }
            if let appenders { add(blocksCutEarly, "blocksCutEarly", appenders.blocksCutEarly) }
            add(connectionsRefused, "connectionsRefused", limit.refused)
        }
        connections.set(Int64(limit.current))
        durableSequence.set(Int64(durable))
        queueDepth.set(Int64(queued))
        if let projections {
            rollupsPosition.set(Int64(projections.position))
            rollupsLag.set(Int64(durable > projections.position ? durable - projections.position : 0))
            catchUpSeconds.set(projections.lastDuration)
            damagedRecords.set(Int64(projections.damagedRecords))
        }
        if let replication {
            replicationPosition.set(Int64(replication.position))
            replicationLag.set(Int64(durable > replication.position ? durable - replication.position : 0))
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
