import Foundation
import Journal

/// A site's anonymized hits as a Parquet file (`infinity export --format parquet`): the columns of
/// the CSV export, typed — `time` a millisecond timestamp, `revenue_amount` an integer of the
/// currency's minor unit, `interactive` and `imported` booleans, `props` a JSON object — and null
/// where a hit has no properties or revenue. Nothing that identifies a visitor is in it.
public struct HitParquetExport {
    private var writer: ParquetWriter
    private let file: FileHandle?
    /// Hits written so far.
    public private(set) var count = 0

    static let columns: [ParquetWriter.Column] =
        [ParquetWriter.Column(name: "time", kind: .timestampMillis)]
        + [
            "site", "hostname", "pathname", "name", "referrer", "source", "channel", "utm_source", "utm_medium",
            "utm_campaign", "utm_content", "utm_term", "country", "browser", "browser_version", "os", "os_version",
            "device", "screen",
        ].map { ParquetWriter.Column(name: $0, kind: .string) }
        + [
            ParquetWriter.Column(name: "props", kind: .string, optional: true),
            ParquetWriter.Column(name: "revenue_amount", kind: .int64, optional: true),
            ParquetWriter.Column(name: "revenue_currency", kind: .string, optional: true),
            ParquetWriter.Column(name: "interactive", kind: .boolean),
            ParquetWriter.Column(name: "imported", kind: .boolean),
        ]

    /// A file at `path` (created or emptied).
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let file = FileHandle(forWritingAtPath: path)
        else {
            throw ServerError("cannot write \(path)", code: "export", hint: "Check the folder exists and is writable")
        }
        self.file = file
        writer = try ParquetWriter(columns: Self.columns) { try file.write(contentsOf: Data($0)) }
    }

    /// The file in memory, of at most `limit` hits (nil when `hits` has more), and its hit count.
    public static func bytes(of hits: inout SiteHits, limit: Int) throws -> (bytes: [UInt8], hits: Int)? {
        final class Output {  // the writer's sink appends here; used on this thread only
            var bytes: [UInt8] = []
        }
        let output = Output()
        var export = HitParquetExport(writer: try ParquetWriter(columns: columns) { output.bytes += $0 })
        struct TooMany: Error {}
        do {
            _ = try hits.forEach { hit in
                guard export.count < limit else { throw TooMany() }
                try export.add(hit)
            }
        } catch is TooMany {
            return nil
        }
        try export.finish()
        return (output.bytes, export.count)
    }

    private init(writer: ParquetWriter) {
        self.writer = writer
        file = nil
    }

    /// Adds one hit.
    public mutating func add(_ hit: Hit) throws {
        var props: String?
        if !hit.props.isEmpty {
            let object = Dictionary(hit.props.map { ($0.key, $0.value) }) { first, _ in first }
            props = String(
                decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        let texts = [
            hit.site, hit.hostname, hit.pathname, hit.name, hit.referrer, hit.source, hit.channel.description,
            hit.utm.source, hit.utm.medium, hit.utm.campaign, hit.utm.content, hit.utm.term, hit.country, hit.browser,
            hit.browserVersion, hit.os, hit.osVersion, hit.device.description, hit.screen.description,
        ]
        try writer.append(
            [.int64(hit.timestamp)] + texts.map { .string($0) } + [
                props.map { .string($0) } ?? .null,
                hit.revenue.map { .int64($0.amount) } ?? .null,
                hit.revenue.map { .string($0.currency) } ?? .null,
                .bool(!hit.flags.contains(.nonInteractive)), .bool(hit.flags.contains(.imported)),
            ])
        count += 1
    }

    /// Completes the file.
    public mutating func finish() throws {
        try writer.finish()
        try file?.close()
    }
}
