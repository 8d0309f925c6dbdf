import Dispatch
import Journal
import Synchronization

/// One generation of rollup files: `<site>/<yyyy-mm-dd>.day` files and a `MANIFEST`.
public struct RollupGeneration: Sendable, Hashable {
    /// The generation's folder.
    public let path: String
    /// Its name (`g000001`).
    public let name: String

    /// The manifest, or nil if the generation is unfinished.
    public func manifest() throws -> RollupManifest? {
        let file = path + "/MANIFEST"
        guard FileSystem.kind(of: file).exists else { return nil }
        let text = String(decoding: try io { try AtomicFile.read(file) }, as: UTF8.self)
        guard let manifest = RollupManifest(text: text) else {
            throw ProjectionError(
                .corrupt, "the rollup manifest is not readable", file: file,
                hint: "Run `infinity rebuild` to recompute the rollups")
        }
        return manifest
    }

    /// Writes the manifest (atomically).
    public func write(_ manifest: RollupManifest) throws {
        try io { try AtomicFile.write(Array(manifest.text.utf8), to: path + "/MANIFEST") }
    }

    /// The file of one site-day.
    public func file(for key: DayKey) -> String { path + "/" + key.site + "/" + DayKey.isoDate(key.day) + ".day" }

    /// Writes one day's file (atomically: temporary file, fsync, rename, fsync folder).
    ///
    /// With `sync: false` (a generation being rebuilt, not visible yet) nothing is flushed; call
    /// ``syncAll()`` before publishing it.
    public func write(_ day: DayFile, sync: Bool = true) throws {
        let folder = path + "/" + day.rollup.site
        if !FileSystem.kind(of: folder).isDirectory {
            try io { try FileSystem.createDirectory(folder) }
            if sync { try io { try FileSystem.syncDirectory(path) } }
        }
        try io {
            try AtomicFile.write(
                RollupCodec.encode(day), to: file(for: DayKey(site: day.rollup.site, day: day.rollup.day)), sync: sync)
        }
    }

    /// Flushes every file and folder of the generation to the disk (several at once, so that the
    /// file system can commit them together).
    public func syncAll() throws {
        var paths: [String] = []
        for site in try sites() {
            for day in try days(of: site) { paths.append(file(for: DayKey(site: site, day: day))) }
            paths.append(path + "/" + site)
        }
        let failure = Mutex<ProjectionError?>(nil)
        let all = paths
        DispatchQueue.concurrentPerform(iterations: min(8, max(1, paths.count))) { lane in
            for index in stride(from: lane, to: all.count, by: 8) {
                do {
                    try io { try AtomicFile.sync(all[index]) }
                } catch let error as ProjectionError {
                    failure.withLock { $0 = $0 ?? error }
                } catch {}
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        try io { try FileSystem.syncDirectory(path) }
    }

    /// Reads one day's rollup, or nil if that day has none. With `only`, other dimensions' tables
    /// are skipped and left empty (the totals are always read).
    public func read(_ key: DayKey, only: Set<Dimension>? = nil, cache: SectionCache? = nil) throws -> DayRollup? {
        try reader(for: key, cache: cache)?.rollup(only: only)
    }

    /// Opens one day's file for reading its sections (through `cache`, when given), or nil if that
    /// day has none.
    public func reader(for key: DayKey, cache: SectionCache? = nil) throws -> DayFileReader? {
        let file = file(for: key)
        guard FileSystem.kind(of: file).exists else { return nil }
        return try DayFileReader(path: file, cache: cache)
    }

    /// Deletes one day's rollup, if present.
    public func remove(_ key: DayKey) throws {
        let file = file(for: key)
        if FileSystem.kind(of: file).exists { try io { try FileSystem.remove(file) } }
    }

    /// The sites that have rollups, sorted.
    public func sites() throws -> [String] {
        try io { try FileSystem.list(path) }.filter { FileSystem.kind(of: path + "/" + $0).isDirectory }.sorted()
    }

    /// The days of `site` that have rollups, ascending.
    public func days(of site: String) throws -> [Int64] {
        let folder = path + "/" + site
        guard FileSystem.kind(of: folder).isDirectory else { return [] }
        return try io { try FileSystem.list(folder) }.compactMap { name in
            name.hasSuffix(".day") ? DayKey.day(fromISODate: String(name.dropLast(4))) : nil
        }.sorted()
    }

    /// Every site-day with a rollup, sorted.
    public func keys() throws -> [DayKey] {
        try sites().flatMap { site in try days(of: site).map { DayKey(site: site, day: $0) } }
    }

    /// Copies a day's file from another generation (a hard link: day files are never modified in place).
    public func adopt(_ key: DayKey, from other: RollupGeneration) throws {
        let source = other.file(for: key)
        let target = file(for: key)
        let folder = path + "/" + key.site
        if !FileSystem.kind(of: folder).isDirectory { try io { try FileSystem.createDirectory(folder) } }
        if link(source, target) != 0 {
            try io { try AtomicFile.write(try AtomicFile.read(source), to: target) }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
