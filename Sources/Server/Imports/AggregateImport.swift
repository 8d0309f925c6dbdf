import Foundation
import Ingest
import Journal
import Projections

/// Brings a site's history in from the tool it used before, as daily aggregates beside the
/// journal (``ImportedStore``): Plausible's CSV export (the zip, or its `imported_*.csv` files) or
/// Google Analytics-style daily reports in CSV. Sources are named and given a channel the way the
/// site's own visits are (`google` / `organic` is Google, Organic Search).
public enum AggregateImport {
    /// The formats read.
    public enum Format: String, Sendable, CaseIterable {
        /// Plausible's CSV export.
        case plausibleCSV = "plausible-csv"
        /// Google Analytics-style daily CSV reports, one dimension per file.
        case analyticsCSV = "analytics-csv"
    }

    /// What was read: the rows, and the names of the files they came from.
    public struct Read: Sendable {
        /// The rows, tables mixed.
        public var rows: [ImportedRow] = []
        /// The files named (names only, an archive by its own name), in order.
        public var files: [String] = []
        /// Files inside an archive that are not tables of the format, left alone.
        public var ignored: [String] = []
    }

    /// Reads `paths` (CSV files, zip archives, or folders of them) in `format`.
    public static func read(_ format: Format, paths: [String]) throws -> Read {
        var read = Read()
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ServerError("\(path) does not exist", code: "import", hint: "Check the path")
            }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                    .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".zip") }
                guard !names.isEmpty else {
                    throw ServerError(
                        "\(path) holds no .csv or .zip files", code: "import",
                        hint: "Give the export's zip or the folder it was unpacked into")
                }
                for name in names { try add(name, bytes: try AtomicFile.read(path + "/" + name), format, into: &read) }
                read.files.append((path as NSString).lastPathComponent + "/")
            } else {
                try add((path as NSString).lastPathComponent, bytes: try AtomicFile.read(path), format, into: &read)
                read.files.append((path as NSString).lastPathComponent)
            }
        }
        read.rows = read.rows.map(named)
        return read
    }

    /// Reads files already in memory (an upload): each a CSV file or a zip archive, by name.
    public static func read(_ format: Format, named files: [(name: String, bytes: [UInt8])]) throws -> Read {
        var read = Read()
        for (name, bytes) in files {
            try add((name as NSString).lastPathComponent, bytes: bytes, format, into: &read)
            read.files.append((name as NSString).lastPathComponent)
        }
        read.rows = read.rows.map(named)
        return read
    }

    private static func add(
        _ name: String, bytes: [UInt8], _ format: Format, into read: inout Read, inArchive: Bool = false
    )
        throws
    {
        if name.lowercased().hasSuffix(".zip") && !inArchive {
            for entry in try ZipReader.entries(bytes, file: name) {
                let base = (entry.name as NSString).lastPathComponent
                guard base.hasSuffix(".csv"), format == .analyticsCSV || PlausibleCSV.table(fileName: base) != nil
                else {
                    read.ignored.append(entry.name)
                    continue
                }
                try add(base, bytes: entry.content, format, into: &read, inArchive: true)
            }
            return
        }
        switch format {
        case .plausibleCSV:
            guard let table = PlausibleCSV.table(fileName: name) else {
                throw ServerError(
                    "\(name) is not a table of Plausible's CSV export (imported_visitors_….csv, imported_pages_….csv, …)",
                    code: "import", hint: "Give the export's zip as Plausible made it, or its imported_*.csv files")
            }
            read.rows += try PlausibleCSV.rows(bytes, table: table, file: name)
        case .analyticsCSV:
            read.rows += try AnalyticsCSV.rows(bytes, file: name).rows
        }
    }

    /// A sources row with the source named as the site's own visits name it and a channel.
    static func named(_ row: ImportedRow) -> ImportedRow {
        guard row.table == .sources else { return row }
        var row = row
        let (source, referrer, utmSource, medium) = (row.labels[0], row.labels[1], row.labels[2], row.labels[3])
        let campaign = utmSource.isEmpty ? source : utmSource
        let traffic = TrafficSource.classify(
            referrerURL: referrer.isEmpty ? nil : (referrer.contains("://") ? referrer : "https://" + referrer),
            pageHost: "",
            utm: UTM(
                source: campaign, medium: medium, campaign: row.labels[4], content: row.labels[5], term: row.labels[6]),
            refParameter: "")
        // A tool's own source name stays (Plausible already names them); a raw one (`google`) is named.
        if source.isEmpty || source == source.lowercased() { row.labels[0] = traffic.source }
        if row.labels[7].isEmpty {
            row.labels[7] = source.isEmpty && campaign.isEmpty ? "Direct" : traffic.channel.description
        }
        return row
    }
}
