import Foundation
import Journal

extension RollupStore {
    /// What one copy of the rollups did.
    public struct BackupReport: Sendable {
        /// Files copied (new or changed since the last copy).
        public var copied = 0
        /// Files already in the copy, unchanged.
        public var unchanged = 0
        /// Bytes written.
        public var bytes: Int64 = 0
        /// The journal position the copied rollups cover (0 when there are none).
        public var position: UInt64 = 0
        /// The stamp of each file copied or kept, by path inside the generation, for the next copy.
        public var stamps: [String: String] = [:]
    }

    /// Copies the current generation into `target` (another rollup folder) under the rollup lock,
    /// so that no rebuild or catch-up writes meanwhile: its manifest and day files agree. Files
    /// whose stamp is the one `previous` recorded are not copied again. The copy's `CURRENT` names
    /// the same generation, and the copy keeps no other.
    public func backUp(to target: RollupStore, previous: [String: String]) throws -> BackupReport {
        let lock = try RebuildLock(root: root)
        defer { lock.release() }
        var report = BackupReport()
        guard let generation = try current() else { return report }
        report.position = try generation.manifest()?.position ?? 0
        let destination = target.root + "/" + generation.name
        try io {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
            let files = FileManager.default.enumerator(atPath: generation.path)
            while let relative = files?.nextObject() as? String {
                let source = generation.path + "/" + relative
                guard !FileSystem.kind(of: source).isDirectory, !relative.hasSuffix(".tmp") else { continue }
                let stamp = FileStamp.of(source)?.text ?? ""
                report.stamps[relative] = stamp
                let copy = destination + "/" + relative
                if previous[relative] == stamp, FileStamp.of(copy) != nil {
                    report.unchanged += 1
                    continue
                }
                let folder = (copy as NSString).deletingLastPathComponent
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let bytes = try AtomicFile.read(source)
                try AtomicFile.write(bytes, to: copy)
                report.copied += 1
                report.bytes += Int64(bytes.count)
            }
            // Day files the rollups no longer have (retention) leave the copy too.
            let kept = Set(report.stamps.keys)
            let copies = FileManager.default.enumerator(atPath: destination)
            while let relative = copies?.nextObject() as? String {
                if !FileSystem.kind(of: destination + "/" + relative).isDirectory && !kept.contains(relative) {
                    try FileManager.default.removeItem(atPath: destination + "/" + relative)
                }
            }
            try AtomicFile.write(Array((generation.name + "\n").utf8), to: target.root + "/CURRENT")
        }
        try target.removeGenerations(except: generation.name)
        return report
    }
}
