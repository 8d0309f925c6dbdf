import Foundation
import Synchronization

/// The entries of one registry file (users, API keys, shared links, goals) in memory, kept in step with
/// the file: changes made here are written atomically first, and ``reloadIfChanged()`` takes in a
/// file another process replaced (the CLI beside a running server). Entries and the file's stamp
/// sit under one lock, so a reload and a change never interleave.
public final class RegistryList<Entry: Codable & Sendable>: Sendable {
    /// The file.
    public let file: RegistryFile<Entry>
    /// What the file holds, for errors ("the users file …").
    private let noun: String
    /// What to do when the file cannot be read.
    private let hint: String
    private let state: Mutex<(entries: [Entry], stamp: FileStamp?)>

    /// The list in the file at `path` (none when it does not exist).
    public init(path: String, noun: String, hint: String, mode: mode_t = 0o600) throws {
        file = RegistryFile(path: path, mode: mode)
        self.noun = noun
        self.hint = hint
        state = Mutex((entries: [], stamp: nil))
        let read = try self.read()
        state.withLock { $0 = read }
    }

    /// The entries in memory (as of this process's last look at the file).
    public var entries: [Entry] { state.withLock { $0.entries } }

    /// The entries as the file holds them now: the file's stamp is looked at first (one `stat`),
    /// and a file another process replaced is read again. For checking a secret or a login, so
    /// that a key created, or revoked, by the CLI a moment ago counts at once rather than at the
    /// watcher's next look. A file that does not parse leaves the entries as they were (the
    /// watcher logs it).
    public var current: [Entry] {
        _ = try? reloadIfChanged()
        return entries
    }

    /// Applies `change` to the entries as the file holds them now and, if it says to (`true` in its
    /// result), writes them first; returns its result. Processes changing the file at once take
    /// turns (``RegistryFile/modify(known:read:write:_:)``), so none of their changes is lost.
    public func update<R: Sendable>(_ change: (inout [Entry]) -> (save: Bool, result: R)) throws -> R {
        try state.withLock { state in
            let (entries, stamp, result) = try file.modify(known: state, read: read, write: write, change)
            state = (entries, stamp)
            return result
        }
    }

    /// Reads the file again if another process changed it; whether it did. A file that does not
    /// parse is refused (thrown) and the entries stay as they were.
    public func reloadIfChanged() throws -> Bool {
        guard FileStamp.of(file.path) != state.withLock({ $0.stamp }) else { return false }
        let read = try self.read()
        state.withLock { $0 = read }
        return true
    }

    private func write(_ entries: [Entry]) throws -> FileStamp? {
        do {
            return try file.write(entries)
        } catch {
            throw JournalError(
                .io, "cannot write the \(noun) file: \(error)", file: file.path,
                hint: "Check free space and permissions of the data folder")
        }
    }

    private func read() throws -> (entries: [Entry], stamp: FileStamp?) {
        do {
            return try file.read()
        } catch {
            throw JournalError(.corrupt, "the \(noun) file is not readable: \(error)", file: file.path, hint: hint)
        }
    }
}
