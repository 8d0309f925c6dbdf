import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sudo infinity …` on the data folder of a service that runs as its own user must leave files
/// that user can read and replace.
@Suite("commands run as root on another user's data folder")
struct DataFolderOwnerTests {
    /// The user the folder is given to: `nobody`, which every Debian system has.
    static let owner: uid_t = 65_534

    @Test(
        "run as root, commands write the data folder as its owner: no file there belongs to root",
        .enabled(if: geteuid() == 0, "only root can give a folder to another user and run commands as root")
    )
    func filesBelongToTheFolderOwner() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        #expect(chown(data, Self.owner, Self.owner) == 0)

        let steps: [([String], String?)] = [
            (["sites", "add", "example.com", "--data", data], nil),
            (["users", "add", "owner@example.com", "--password-stdin", "--data", data], "correct horse battery\n"),
            (["keys", "create", "grafana", "--data", data], nil),
            (["generate", "--data", data, "--site", "example.com", "--days", "2", "--hits-per-day", "200"], nil),
            (["rebuild", "--data", data], nil),
        ]
        for (arguments, input) in steps {
            let run = try CLI.run(arguments, input: input)
            #expect(run.status == 0, "\(arguments.prefix(2)): \(run.stderr)")
        }
        let paths = try FileManager.default.subpathsOfDirectory(atPath: data)
        #expect(paths.contains("users.json") && paths.contains("keys.json"))
        #expect(paths.contains { $0.hasPrefix("journal/") } && paths.contains { $0.hasPrefix("rollups/") })
        // users.json among them would be a login the server cannot read.
        #expect(try FileOwners.notOwned(by: Self.owner, in: data) == [], "files of root's in the data folder")
        // An access log only root may read is named, with the way to hand it in; handed in on
        // standard input, its lines are imported into files the owner can use.
        let log = directory.path + "/access.log"
        let lines =
            try String(
                contentsOf: BuiltBinary.fixtures.appendingPathComponent("logs/elastic-apache_logs"), encoding: .utf8
            ).split(separator: "\n").prefix(40).joined(separator: "\n") + "\n"
        try lines.write(toFile: log, atomically: true, encoding: .utf8)
        #expect(chmod(log, 0o600) == 0)
        let named = try CLI.run([
            "import", "access-log", log, "--site", "example.com", "--data", data, "--progress", "none",
        ])
        #expect(named.status != 0)
        #expect(
            named.stderr.contains("hand the file in on standard input instead: sudo cat \(log) |"), "\(named.stderr)")
        let piped = try CLI.run(
            ["import", "access-log", "-", "--site", "example.com", "--data", data, "--progress", "none"], input: lines)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try FileOwners.notOwned(by: Self.owner, in: data) == [], "files of root's after the import")

        // Listing still works, and a folder root owns stays root's.
        #expect(try CLI.run(["keys", "list", "--data", data]).stdout.contains("grafana"))
        let own = directory.path + "/own"
        #expect(try CLI.run(["sites", "add", "example.com", "--data", own]).status == 0)
        var info = stat()
        #expect(stat(own + "/sites.json", &info) == 0 && info.st_uid == 0)
    }
}
