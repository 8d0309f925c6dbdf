import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command run as root on a data folder that belongs to another user (the service's, as
/// `Docs/deployment.md` sets it up) switches to that user before it writes anything there.
///
/// `sudo infinity users add …` is what an operator types. Run as root, it left `users.json` owned
/// by root with mode 0600, which the server, running as its own user, could not read: the new login
/// was refused as a wrong password. Run as the folder's owner, every file it writes is one the
/// server can read and replace, as if `sudo -u OWNER infinity …` had been typed.
enum DataFolderOwner {
    /// Switches to the owner of `folder` (and that user's groups) when this process is root and
    /// the folder exists and belongs to someone else; the owner's name when it did.
    @discardableResult
    static func adopt(_ folder: String) throws -> String? {
        guard let (info, name) = foreignOwner(of: folder) else { return nil }
        let user = getpwuid(info.st_uid)
        let group = user?.pointee.pw_gid ?? info.st_gid
        let groupsSet =
            if let user {
                initgroups(user.pointee.pw_name, group) == 0
            } else {
                setgroups(0, nil) == 0
            }
        guard groupsSet, setgid(group) == 0, setuid(info.st_uid) == 0 else {
            throw CommandFailure(
                "\(folder) belongs to \(name), and this command, run as root, could not switch to that user: \(String(cString: strerror(errno))). Run it as that user: sudo -u \(name) infinity …"
            )
        }
        return name
    }

    /// ``adopt(_:)`` for a process that already runs threads (`serve`, an async command): switched
    /// on a thread of Swift's pool, the process's main thread was left root (seen in
    /// `/proc/PID/task/*/status`), so after switching it starts itself again with the same
    /// arguments, as one thread that is the owner's from the start. Returns only when there was
    /// nothing to switch.
    static func restartAsOwner(of folder: String) throws {
        guard let name = try adopt(folder) else { return }
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        // The executable's own path, so the process keeps its name (`pidof infinity`).
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        execv(executable, arguments)
        throw CommandFailure(
            "\(folder) belongs to \(name); switched to that user, infinity could not start itself again: \(String(cString: strerror(errno))). Run it as that user: sudo -u \(name) infinity …"
        )
    }

    /// The folder's status and its owner's name, when this process is root and the folder
    /// belongs to someone else.
    static func foreignOwner(of folder: String) -> (stat, String)? {
        guard geteuid() == 0 else { return nil }
        var info = stat()
        guard stat(folder, &info) == 0, info.st_uid != 0 else { return nil }
        return (info, getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(info.st_uid)")
    }
}

extension DataOptions {
    /// Before a command writes the data folder: as root, become the folder's owner
    /// (``DataFolderOwner``). For a command whose `run` is synchronous (on the main thread).
    func adoptOwner() throws { try DataFolderOwner.adopt(data) }

    /// The same for an `async` command, whose `run` is on a thread of Swift's pool: it starts
    /// itself again as the owner (``DataFolderOwner/restartAsOwner(of:)``).
    func restartAsOwner() throws { try DataFolderOwner.restartAsOwner(of: data) }

    /// ``adoptOwner()`` for a command that reads `files` as it goes (`-` is standard input, open
    /// already): a file the folder's owner may not read (a log only root and `adm` may) is named
    /// at once, with the way to hand it in.
    func adoptOwner(reading files: [String], retry: String) throws {
        guard let owner = try DataFolderOwner.adopt(data) else { return }
        for file in files where file != "-" && access(file, R_OK) != 0 {
            throw CommandFailure(
                "\(file) cannot be read by \(owner), the owner of \(data), whom this command runs as so that the server can use what it writes; hand the file in on standard input instead: sudo cat \(file) | \(retry)"
            )
        }
    }
}
