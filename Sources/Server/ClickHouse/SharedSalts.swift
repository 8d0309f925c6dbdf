import Foundation
import Ingest
import Journal
import Logging
import Projections
import Synchronization

/// Daily salts shared by every node writing to one ClickHouse, so that a visitor whose hits land
/// on two nodes on the same day gets one id there too (`serve --clickhouse`).
///
/// ClickHouse keeps the candidates in `infinity_salts_v1`, one partition per site and day. The
/// salt of a day is the earliest candidate (by ClickHouse's own clock, ties by value), adopted only
/// once it is two seconds old, so that a candidate another node inserted at the same moment is
/// seen before anyone decides. A node asks when a day first needs a salt, and its ``sync(now:zones:)``
/// (every minute) settles today's salt and, from 22:00 local time, tomorrow's, so hits never wait
/// at midnight. The agreed salt is kept in this node's salt file, which also serves when
/// ClickHouse cannot be reached: a node that cannot agree makes a salt of its own for that day
/// (ingest never waits on ClickHouse; that day's visitors of two nodes then count twice) and logs
/// a warning.
///
/// Deletion follows the salt file's rule: a day's salt goes once it is more than a day older than
/// its site's current day, from the salt file and, as a dropped partition, from ClickHouse.
public final class SharedSalts: SaltSource {
    /// This node's salt file: the salts agreed so far, and the fallback.
    public let local: SaltStore
    let client: ClickHouseClient
    let node: String
    let logger: Logger
    /// Seconds a candidate must have existed before a node adopts it.
    static let settleSeconds: UInt32 = 2
    private let prepared = Atomic<Bool>(false)
    private let ownSalts = Atomic<Int>(0)

    /// Salts agreed through `client`, kept in `local`, as `node`.
    public init(local: SaltStore, client: ClickHouseClient, node: String, logger: Logger) {
        self.local = local
        self.client = client
        self.node = node
        self.logger = logger
    }

    /// How many days' salts this node had to make on its own since it started (ClickHouse away).
    public var fallbacks: Int { ownSalts.load(ordering: .relaxed) }

    private var table: String { "\(client.database).\(ClickHouseSchema.saltTable)" }

    /// The salt of a site's local day, agreed with the other nodes through ClickHouse; nil for a
    /// day already rotated away.
    public func salt(site: String, day: Int64) throws -> Salt? {
        if let salt = local.existingSalt(site: site, day: day) { return salt }
        if local.isRotatedAway(site: site, day: day) { return nil }
        do {
            return try local.adopt(try agreed(site: site, day: day), site: site, day: day)
        } catch let error as IngestError {
            throw error
        } catch {
            ownSalts.add(1, ordering: .relaxed)
            logger.warning(
                "cannot agree on a salt with the other nodes through ClickHouse; this node makes its own for the day, so visitors it shares with other nodes that day count twice",
                metadata: ["site": "\(site)", "day": "\(DayKey.isoDate(day))", "error": "\(error)"])
            return try local.salt(site: site, day: day)
        }
    }

    /// The salt of a site's local day if this node already has it.
    public func existingSalt(site: String, day: Int64) -> Salt? { local.existingSalt(site: site, day: day) }

    /// The agreed salt of a site's day: the earliest candidate in ClickHouse once it has settled;
    /// this node adds a candidate when there is none.
    func agreed(site: String, day: Int64) throws -> Salt {
        try prepare()
        let siteLiteral = ClickHouseSQL.string(site)
        var proposed = false
        // At most a few seconds: a hit may be waiting (when the minute pass had not settled the day).
        let deadline = Date().addingTimeInterval(Double(Self.settleSeconds) + 4)
        while Date() < deadline {
            let text = try client.run(
                """
                SELECT salt, toUInt32(created), toUInt32(now()) FROM \(table)
                WHERE site = \(siteLiteral) AND day = \(day) ORDER BY created, salt LIMIT 1 FORMAT TabSeparated
                """, seconds: 2)
            let fields = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t")
            if fields.count == 3, let created = UInt32(fields[1]), let now = UInt32(fields[2]) {
                if now >= created + Self.settleSeconds, let salt = Salt(hex: fields[0]) { return salt }
            } else if !proposed {
                try client.run(
                    "INSERT INTO \(table) SELECT \(siteLiteral), \(day), '\(Salt.random().hex)', now(), \(ClickHouseSQL.string(node))",
                    seconds: 2)
                proposed = true
                continue
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw ServerError(
            "no salt of \(site) for \(DayKey.isoDate(day)) settled in ClickHouse within \(Self.settleSeconds + 4) s")
    }

    /// Settles today's salt of every site (and tomorrow's from 22:00 local time), then deletes
    /// every salt more than a day older than its site's current day, here and in ClickHouse.
    /// Returns the number of days deleted.
    @discardableResult
    public func sync(now: Int64, zones: [String: TimeZone]) throws -> Int {
        var current: [String: Int64] = [:]
        for (site, zone) in zones.sorted(by: { $0.key < $1.key }) {
            var clock = LocalClock(zone: zone)
            let (day, hour) = clock.dayAndHour(of: now)
            current[site] = day
            for wanted in hour >= 22 ? [day, day + 1] : [day] where local.existingSalt(site: site, day: wanted) == nil {
                _ = try local.adopt(try agreed(site: site, day: wanted), site: site, day: wanted)
            }
        }
        var deleted = try local.rotate(currentDays: current)
        try prepare()
        let utcDay = LocalClock.floorDivide(now, LocalClock.dayLength)
        let text = try client.run("SELECT DISTINCT site, day FROM \(table) FORMAT TabSeparated", seconds: 10)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, let day = Int64(fields[1]) else { continue }
            let site = ClickHouseSQL.unescape(fields[0])
            // A site this node does not know is judged by the UTC day, a day later (any zone).
            guard day < (current[site].map { $0 - 1 } ?? utcDay - 2) else { continue }
            try client.run(
                "ALTER TABLE \(table) DROP PARTITION (\(ClickHouseSQL.string(site)), \(day))", seconds: 10)
            deleted += 1
        }
        return deleted
    }

    /// Creates the database and the salt table once.
    private func prepare() throws {
        guard !prepared.load(ordering: .relaxed) else { return }
        try client.run("CREATE DATABASE IF NOT EXISTS \(client.database)", seconds: 10)
        try client.run(ClickHouseSchema.createSaltTable(database: client.database), seconds: 10)
        prepared.store(true, ordering: .relaxed)
    }
}
