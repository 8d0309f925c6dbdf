import Foundation
import Journal
import Synchronization

/// Daily aggregates imported from other analytics tools (Plausible's CSV export, Google
/// Analytics reports), kept beside the journal: `imports.json` lists the imports, and each one's
/// rows are in `imports/ID.rows`. The journal holds hits only; these numbers are added to the
/// answers of the days they cover when a question includes imported data.
///
/// Exactly once: an import whose rows equal an earlier one's adds nothing, and an import whose
/// tables cover days another import already covers for the same table is refused (remove that one
/// first). Days on which the site already has hits are left out: the site's own numbers win.
/// The rows file is written and synced before the list names it, so a crash leaves either the
/// whole import or none of it.
///
/// A server reads a list the CLI replaced (``reloadIfChanged()``), so an import counts in the
/// next answer without a restart.
public final class ImportedStore: Sendable {
    /// The most imports one data folder may hold.
    public static let limit = 1_000

    private let folder: String
    private let list: RegistryList<ImportRecord>
    /// Rollups of each import read so far, by id.
    private let cache = Mutex<[Int: [Int64: DayRollup]]>([:])

    /// The store of the data folder `folder`.
    public init(folder: String) throws {
        self.folder = folder
        list = try RegistryList(
            path: folder + "/imports.json", noun: "imports",
            hint: "Restore it from a backup, or delete it and the imports folder and import again", mode: 0o644)
    }

    /// The list file (what a reload is logged as).
    public var path: String { list.file.path }

    /// Reads the list again if another process changed it; whether one did.
    public func reloadIfChanged() throws -> Bool {
        guard try list.reloadIfChanged() else { return false }
        let ids = Set(list.entries.map(\.id))
        cache.withLock { $0 = $0.filter { ids.contains($0.key) } }
        return true
    }

    /// The imports of `site` (every site's when nil), oldest first.
    public func imports(of site: String? = nil) -> [ImportRecord] {
        list.entries.filter { site == nil || $0.site == site }
    }

    /// What ``add(site:source:files:rows:nativeDays:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// The rows were stored as this import; `skippedDays` of theirs had hits already.
        case added(ImportRecord, skippedDays: [Int64])
        /// The same rows were imported before, as this import; nothing was added.
        case alreadyImported(ImportRecord)
    }

    /// Stores `rows` of `site` read from `files` as one import, leaving out `nativeDays` (days the
    /// site already has hits on). Refused when a table overlaps an earlier import's days.
    public func add(
        site: String, source: String, files: [String], rows: [ImportedRow], nativeDays: Set<Int64>
    ) throws -> Outcome {
        let lock = try RebuildLock(root: folder + "/imports")  // one importer at a time
        defer { lock.release() }
        _ = try reloadIfChanged()
        let kept = rows.filter { !nativeDays.contains($0.day) }
        let skipped = Set(rows.map(\.day)).intersection(nativeDays).sorted()
        guard !kept.isEmpty else {
            throw ProjectionError(
                .invalidArgument,
                rows.isEmpty
                    ? "the files hold no rows to import"
                    : "every day in the files already has hits of \(site) (\(skipped.count) days); nothing to import",
                hint: rows.isEmpty
                    ? "Check that they are the export's CSV files with their header lines" : nil)
        }
        let bytes = ImportCodec.encode(kept)
        // The checksum the codec ends the file with.
        let fingerprint = String(bytes.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }, radix: 16)
        let earlier = imports(of: site)
        // Each table's first day, last day and rows, in one pass over the rows.
        var ranges: [ImportedTable: (first: Int64, last: Int64, rows: Int)] = [:]
        for row in kept {
            let known = ranges[row.table]
            ranges[row.table] = (
                min(known?.first ?? row.day, row.day), max(known?.last ?? row.day, row.day), (known?.rows ?? 0) + 1
            )
        }
        let tables = ImportedTable.allCases.compactMap { table in ranges[table].map { (table, $0) } }
        let spans = tables.map { table, range in
            ImportRecord.Span(
                table: table.description, first: DayKey.isoDate(range.first), last: DayKey.isoDate(range.last),
                rows: range.rows)
        }
        if let same = earlier.first(where: { $0.fingerprint == fingerprint && $0.tables == spans }) {
            return .alreadyImported(same)
        }
        for (table, range) in tables {
            if let other = earlier.first(where: { record in
                record.days(of: table).map { $0.overlaps(range.first...range.last) } ?? false
            }) {
                throw ProjectionError(
                    .invalidArgument,
                    "the \(table) table covers \(DayKey.isoDate(range.first))…\(DayKey.isoDate(range.last)), which overlaps import \(other.id) of \(site) (\(other.files.joined(separator: ", ")))",
                    hint:
                        "To replace it, remove it first: `infinity import remove \(site) \(other.id)`; to add other days, export only those"
                )
            }
        }
        let id = (list.entries.map(\.id).max() ?? 0) + 1
        let record = ImportRecord(
            id: id, site: site, source: source, files: files, fingerprint: fingerprint,
            importedAt: ISO8601DateFormatter().string(from: Date()), tables: spans, skippedDays: skipped.count)
        try FileSystem.createDirectory(folder + "/imports")
        try AtomicFile.write(bytes, to: folder + "/" + record.rowsFile)
        let refusal: ProjectionError? = try list.update { entries in
            guard entries.count < Self.limit else {
                return (
                    false,
                    ProjectionError(
                        .invalidArgument, "the data folder already holds \(Self.limit) imports, the most it may",
                        hint: "Remove imports you no longer need with `infinity import remove`")
                )
            }
            entries.append(record)
            return (true, nil)
        }
        if let refusal {
            try? FileSystem.remove(folder + "/" + record.rowsFile)
            throw refusal
        }
        return .added(record, skippedDays: skipped)
    }

    /// Removes import `id` of `site`; the import removed, or nil when there was none.
    public func remove(site: String, id: Int) throws -> ImportRecord? {
        let lock = try RebuildLock(root: folder + "/imports")
        defer { lock.release() }
        _ = try reloadIfChanged()
        let removed: ImportRecord? = try list.update { entries in
            guard let index = entries.firstIndex(where: { $0.site == site && $0.id == id }) else { return (false, nil) }
            return (true, entries.remove(at: index))
        }
        if let removed {
            try? FileSystem.remove(folder + "/" + removed.rowsFile)
            cache.withLock { _ = $0.removeValue(forKey: removed.id) }
        }
        return removed
    }

    /// Removes every import of `site` (when it is deleted); how many there were.
    @discardableResult
    public func removeAll(site: String) throws -> Int {
        var removed = 0
        for record in imports(of: site) where try remove(site: site, id: record.id) != nil { removed += 1 }
        return removed
    }

    /// The imported rollups of `site` for `days`, added up over its imports, and a note for each
    /// import that could not be read (its numbers are left out, the rest still count).
    public func rollups(site: String, days: ClosedRange<Int64>) -> (days: [Int64: DayRollup], problems: [String]) {
        var result: [Int64: DayRollup] = [:]
        var problems: [String] = []
        for record in imports(of: site) where record.days?.overlaps(days) ?? false {
            let rollups: [Int64: DayRollup]
            do {
                rollups = try self.rollups(of: record)
            } catch {
                problems.append("import \(record.id) of \(site) is left out: \(error)")
                continue
            }
            for (day, rollup) in rollups where days.contains(day) {
                if result[day] == nil { result[day] = rollup } else { result[day]!.add(rollup) }
            }
        }
        return (result, problems)
    }

    /// The imports of `site` with days in `days`.
    public func imports(of site: String, overlapping days: ClosedRange<Int64>) -> [ImportRecord] {
        imports(of: site).filter { $0.days?.overlaps(days) ?? false }
    }

    /// The first day any import of `site` covers.
    public func firstDay(site: String) -> Int64? {
        imports(of: site).compactMap { $0.days?.lowerBound }.min()
    }

    /// The rows of one import, read from its file (for listings and exports).
    public func rows(of record: ImportRecord) throws -> [ImportedRow] {
        let path = folder + "/" + record.rowsFile
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw ProjectionError(
                .io, "cannot read the imported rows: \(error)", file: path,
                hint:
                    "Remove this import (`infinity import remove \(record.site) \(record.id)`) and import its files again"
            )
        }
        return try ImportCodec.decode(bytes, path: path)
    }

    private func rollups(of record: ImportRecord) throws -> [Int64: DayRollup] {
        if let cached = cache.withLock({ $0[record.id] }) { return cached }
        let made = ImportedRollups.make(try rows(of: record), site: record.site)
        cache.withLock { $0[record.id] = made }
        return made
    }
}
