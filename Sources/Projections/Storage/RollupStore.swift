import Journal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rollup folder, `<data>/rollups/`: generations of rollup files and a pointer to the current one.
///
/// A *generation* is a folder (`g000001`, …) holding one file per site and day
/// (`<site>/<yyyy-mm-dd>.day`) and a `MANIFEST`. `CURRENT` names the generation readers use; a
/// rebuild fills a new generation and then replaces `CURRENT` atomically, so readers see either
/// all old rollups or all new ones.
public struct RollupStore: Sendable {
    /// The rollup folder.
    public let root: String

    /// The store in `<dataDirectory>/rollups`.
    public init(dataDirectory: String) { self.root = dataDirectory + "/rollups" }

    /// The store at `root`.
    public init(root: String) { self.root = root }

    /// The generation `CURRENT` names, if any.
    public func current() throws -> RollupGeneration? {
        let pointer = root + "/CURRENT"
        guard FileSystem.kind(of: pointer).exists else { return nil }
        let name = String(decoding: try io { try AtomicFile.read(pointer) }, as: UTF8.self)
            .trimmingCharacters(in: "\n ")
        guard Self.isGenerationName(name), FileSystem.kind(of: root + "/" + name).isDirectory else {
            throw ProjectionError(
                .corrupt, "CURRENT names '\(name)', which is not a rollup generation here", file: pointer,
                hint: "Run `infinity rebuild` to recompute the rollups")
        }
        return RollupGeneration(path: root + "/" + name, name: name)
    }

    /// The newest generation whose manifest reads back: where a rebuild starts when `CURRENT` is
    /// damaged (a generation gets its manifest only once all its day files are synced, just before
    /// it is published).
    public func newestWithManifest() -> RollupGeneration? {
        guard let names = try? io({ try FileSystem.list(root) }) else { return nil }
        for name in names.filter(Self.isGenerationName).sorted(by: >) {
            let generation = RollupGeneration(path: root + "/" + name, name: name)
            if (try? generation.manifest()) != nil { return generation }
        }
        return nil
    }

    /// Creates an empty generation, numbered after every existing one.
    public func createGeneration() throws -> RollupGeneration {
        try io { try FileSystem.createDirectory(root) }
        let names = try io { try FileSystem.list(root) }.filter(Self.isGenerationName)
        let next = (names.compactMap { Int($0.dropFirst()) }.max() ?? 0) + 1
        let digits = String(next)
        let name = "g" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        try io { try FileSystem.createDirectory(root + "/" + name) }
        return RollupGeneration(path: root + "/" + name, name: name)
    }

    /// Makes `generation` current (atomically) and deletes every other generation.
    public func publish(_ generation: RollupGeneration) throws {
        try io { try AtomicFile.write(Array((generation.name + "\n").utf8), to: root + "/CURRENT") }
        try removeGenerations(except: generation.name)
    }

    /// Deletes an unfinished generation (a rebuild that failed), unless it became current.
    public func discard(_ generation: RollupGeneration) throws {
        guard try current()?.name != generation.name else { return }
        try removeTree(generation.path)
    }

    /// Deletes generations other than `keep` (unfinished rebuilds, replaced generations).
    public func removeGenerations(except keep: String?) throws {
        guard FileSystem.kind(of: root).isDirectory else { return }
        for name in try io({ try FileSystem.list(root) }) where Self.isGenerationName(name) && name != keep {
            try removeTree(root + "/" + name)
        }
    }

    /// Deletes every day file of `site` in every generation (a deleted site's numbers), under the
    /// rollup lock so that no rebuild or catch-up writes beside it; whether there were any.
    @discardableResult
    public func removeSite(_ site: String) throws -> Bool {
        guard !site.isEmpty, !site.contains("/"), site != ".", site != "..",
            FileSystem.kind(of: root).isDirectory
        else { return false }
        let lock = try RebuildLock(root: root)
        defer { lock.release() }
        var removed = false
        for name in try io({ try FileSystem.list(root) }) where Self.isGenerationName(name) {
            let folder = root + "/" + name + "/" + site
            if FileSystem.kind(of: folder).exists {
                try removeTree(folder)
                removed = true
            }
        }
        return removed
    }

    static func isGenerationName(_ name: String) -> Bool {
        name.count == 7 && name.first == "g" && name.dropFirst().allSatisfy(\.isNumber)
    }

    private func removeTree(_ path: String) throws {
        let kind = FileSystem.kind(of: path)
        guard kind.exists else { return }
        if kind.isDirectory {
            for name in try io({ try FileSystem.list(path) }) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else {
                throw ProjectionError(.io, "cannot remove folder: \(String(cString: strerror(errno)))", file: path)
            }
        } else {
            try io { try FileSystem.remove(path) }
        }
    }
}

/// Runs a journal-module file operation and reports its failure as a ``ProjectionError``.
func io<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as JournalError where error.code == .diskFull {
        throw ProjectionError(
            .diskFull, error.message, file: error.file, offset: error.offset,
            hint: "The disk is full: free space, then try again")
    } catch let error as JournalError {
        throw ProjectionError(
            .io, error.message, file: error.file, offset: error.offset,
            hint: error.hint ?? "Check free space and permissions of the data folder")
    }
}

extension String {
    func trimmingCharacters(in characters: String) -> String {
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text = text.dropFirst() }
        while let last = text.last, characters.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
