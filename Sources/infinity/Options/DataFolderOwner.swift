import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command run as root on a data folder that belongs to another user (the service's, as
/// `Docs/deployment.md` sets it up) is refused before it writes anything there, with the command
/// that works.
///
/// `sudo infinity users add …` is what an operator types. Run as root, it left `users.json` owned
/// by root with mode 0600, which the server, running as its own user, could not read: the new login
/// was refused as a wrong password. Switching to the folder's owner instead was tried and dropped:
/// the owner often may not reach the executable or the folder the command was started from (a
/// checkout under a private folder; exec failed with "Permission denied"), and an import switched
/// that way crashed where it could not be reproduced. A refusal that names `sudo -u OWNER` never
/// leaves half a change behind.
enum DataFolderOwner {
    /// The owner's name, when this process is root and `folder` exists and belongs to someone else.
    static func foreignOwner(of folder: String) -> String? {
        guard geteuid() == 0 else { return nil }
        var info = stat()
        guard stat(folder, &info) == 0, info.st_uid != 0 else { return nil }
        return getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "#\(info.st_uid)"
    }

    /// Throws, naming `sudo -u OWNER` and `rerun`, when ``foreignOwner(of:)`` finds an owner.
    static func requireOwner(of folder: String, rerun: String) throws {
        guard let owner = foreignOwner(of: folder) else { return }
        throw CommandFailure(
            "\(folder) belongs to \(owner), and this command runs as root: what it wrote there would be root's, and `infinity serve` running as \(owner) could not read or replace it. Nothing was changed. Run it as that user: sudo -u \(owner) \(rerun)"
        )
    }
}

extension DataOptions {
    /// Before a command writes the data folder: refused when run as root on another user's folder
    /// (``DataFolderOwner``). The advice repeats the command line as it was typed.
    func requireOwner() throws {
        try DataFolderOwner.requireOwner(
            of: data, rerun: (["infinity"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
    }

    /// The same for an access-log import: a log only root may read goes in on standard input.
    func requireOwner(importing files: [String], site: String) throws {
        let named = files.filter { $0 != "-" }
        guard !named.isEmpty, let owner = DataFolderOwner.foreignOwner(of: data) else { return try requireOwner() }
        throw CommandFailure(
            "\(data) belongs to \(owner), and this command runs as root: what it wrote there would be root's, and `infinity serve` running as \(owner) could not read or replace it. Nothing was changed. Import as that user, handing in logs only root may read on standard input: sudo cat \(named.joined(separator: " ")) | sudo -u \(owner) infinity import access-log - --site \(site) --data \(data)"
        )
    }
}
