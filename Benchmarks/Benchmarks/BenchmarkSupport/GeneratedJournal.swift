import Dispatch
import Foundation
import Journal
import Logging
import Synchronization

/// A journal of generated traffic in a data folder under `$TMPDIR`, made once and reused by later
/// runs (a marker file says it is complete), with the `sites.json` that `infinity` needs to read it.
public struct GeneratedJournal: Sendable {
    /// The data folder.
    public let folder: String
    /// The sites and their zones.
    public let sites: [TrafficGenerator.Site]

    /// 2026-10-01, the first generated day.
    public static let firstDay: Int64 = 20_727

    /// Generates `hits` hits (or finds them generated) over `days` days, spread evenly over `sites`.
    public init(name: String, sites: [TrafficGenerator.Site], days: Int, hits: Int, seed: UInt64 = 42) {
        self.sites = sites
        folder = NSTemporaryDirectory() + "infinity-bench-\(name)-\(hits)"
        let marker = folder + "/journal-complete"
        if FileManager.default.fileExists(atPath: marker) { return }
        try? FileManager.default.removeItem(atPath: folder)
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let generator = TrafficGenerator(sites: sites, seed: seed)
        let firstDay = Self.firstDay * 86_400_000
        let perSiteDay = hits / (days * sites.count)
        let writer = try! JournalWriter(
            configuration: JournalConfiguration(directory: folder + "/journal", commit: CommitPolicy(sync: .none)),
            logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        // Two UTC days at a time are generated in parallel, then appended in order.
        for pair in stride(from: -1, through: days, by: 2) {
            let made = Mutex<[Int: [Hit]]>([:])
            DispatchQueue.concurrentPerform(iterations: 2) { offset in
                guard pair + offset <= days else { return }
                let hits = generator.hits(
                    utcDay: pair + offset, firstDay: firstDay, days: days, countPerSite: perSiteDay)
                made.withLock { $0[offset] = hits }
            }
            for offset in 0..<2 {
                guard let hits = made.withLock({ $0[offset] }) else { continue }
                for start in stride(from: 0, to: hits.count, by: 8192) {
                    let chunk = Array(hits[start..<min(start + 8192, hits.count)])
                    while true {
                        do {
                            _ = try writer.enqueue(chunk)
                            break
                        } catch {
                            guard (error as? JournalError)?.code == .overloaded else { fatalError("\(error)") }
                            try! writer.flushBlocking()
                        }
                    }
                }
            }
        }
        try! writer.closeBlocking()
        // The sites file, so that `infinity rebuild --data <folder>` counts the same days.
        let entries = sites.sorted { $0.domain < $1.domain }.map { site in
            "{\"domain\":\"\(site.domain)\",\"timezone\":\"\(Self.zoneName(minutes: site.utcOffsetMinutes))\"}"
        }
        try! ("[" + entries.joined(separator: ",") + "]").write(
            toFile: folder + "/sites.json", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: marker, contents: nil)
    }

    /// `UTC`, `GMT-0500`, `GMT+0530`: a fixed zone for a UTC offset.
    public static func zoneName(minutes: Int) -> String {
        guard minutes != 0 else { return "UTC" }
        let sign = minutes < 0 ? "-" : "+"
        let hours = abs(minutes) / 60
        let rest = abs(minutes) % 60
        return "GMT" + sign + (hours < 10 ? "0" : "") + "\(hours)" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    /// The zones of the sites, for a `SiteCalendar`.
    public var zones: [String: TimeZone] {
        Dictionary(
            uniqueKeysWithValues: sites.map { ($0.domain, TimeZone(secondsFromGMT: $0.utcOffsetMinutes * 60)!) })
    }
}

/// Seconds since `start`.
public func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Bytes of the regular files under `path`.
public func folderSize(_ path: String) -> Int {
    var total = 0
    for case let name as String in FileManager.default.enumerator(atPath: path)! {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
        if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
    }
    return total
}
