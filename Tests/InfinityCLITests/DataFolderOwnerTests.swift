import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sudo infinity …` on the data folder of a service that runs as its own user must not leave files
/// that user cannot read: such commands are refused, with the command that works.
@Suite("commands run as root on another user's data folder")
struct DataFolderOwnerTests {
    /// The user the folder is given to: `nobody`, which every Debian system has.
    static let owner: uid_t = 65_534

    @Test(
        "run as root on another user's folder, commands that write it are refused with `sudo -u OWNER`, and nothing is written",
        .enabled(if: geteuid() == 0, "only root can give a folder to another user and run commands as root")
    )
    func writersAreRefused() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        #expect(chown(data, Self.owner, Self.owner) == 0)
        let owner = try #require(getpwuid(Self.owner)).pointee.pw_name.map { String(cString: $0) }

        let writers: [([String], String?)] = [
            (["sites", "add", "example.com", "--data", data], nil),
            (["users", "add", "owner@example.com", "--password-stdin", "--data", data], "correct horse battery\n"),
            (["keys", "create", "grafana", "--data", data], nil),
            (["generate", "--data", data, "--site", "example.com", "--days", "2", "--hits-per-day", "200"], nil),
            (["rebuild", "--data", data], nil),
        ]
        for (arguments, input) in writers {
            let run = try CLI.run(arguments, input: input)
            #expect(run.status != 0, "\(arguments.prefix(2)) ran as root")
            // The advice repeats the command as typed, as the folder's owner.
            #expect(
                run.stderr.contains("belongs to \(owner ?? "")")
                    && run.stderr.contains("sudo -u \(owner ?? "") infinity \(arguments.joined(separator: " "))"),
                "\(run.stderr)")
        }
        // Listing writes nothing, and runs.
        #expect(try CLI.run(["keys", "list", "--data", data]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == [], "the refused commands wrote")

        // An access log is named with the way to hand it in as the owner.
        let log = directory.path + "/access.log"
        try "".write(toFile: log, atomically: true, encoding: .utf8)
        let named = try CLI.run(["import", "access-log", log, "--site", "example.com", "--data", data])
        #expect(named.status != 0)
        #expect(
            named.stderr.contains(
                "sudo cat \(log) | sudo -u \(owner ?? "") infinity import access-log - --site example.com --data \(data)"
            ),
            "\(named.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == [])

        // A folder root owns is root's to change.
        let own = directory.path + "/own"
        #expect(try CLI.run(["sites", "add", "example.com", "--data", own]).status == 0)
    }
}
