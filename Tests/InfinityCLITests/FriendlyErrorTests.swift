import Foundation
import Testing

/// Mistakes a new user makes get one line that says what to do.
@Suite("friendly errors on the command line")
struct FriendlyErrorTests {
    @Test(
        "a mistyped command gets a suggestion",
        arguments: [("quer", "query"), ("journl", "journal"), ("rebuidl", "rebuild")])
    func mistypedCommand(typed: String, meant: String) throws {
        let run = try CLI.run([typed])
        #expect(run.status == 64)
        #expect(run.stderr.contains("did you mean `infinity \(meant)`"), "\(run.stderr)")
    }

    @Test(
        "a mistyped subcommand gets a suggestion, not the usage of the group's default",
        arguments: [
            (["journal", "verfy"], "infinity journal verify"), (["sites", "ad", "example.org"], "infinity sites add"),
            (["rollups", "updte"], "infinity rollups update"),
            (["import", "acess-log", "x.log"], "infinity import access-log"),
        ])
    func mistypedSubcommand(typed: [String], meant: String) throws {
        let data = TemporaryDirectory()
        let run = try CLI.run(typed + ["--data", data.path])
        #expect(run.status == 64)
        #expect(run.stderr.contains("'\(typed[1])' is not an `infinity \(typed[0])` command"), "\(run.stderr)")
        #expect(run.stderr.contains("did you mean `\(meant)`"), "\(run.stderr)")
        #expect(!run.stderr.contains("Usage:"), "\(run.stderr)")
    }

    @Test("a group named alone runs its listing: sites, keys, users, reports, rollups, journal")
    func groupsList() throws {
        let data = TemporaryDirectory()
        let added = try CLI.run(["sites", "add", "example.org", "--data", data.path])
        #expect(added.status == 0, "\(added.stderr)")
        let generated = try CLI.run([
            "generate", "--site", "example.org", "--days", "1", "--hits-per-day", "10", "--data", data.path,
        ])
        #expect(generated.status == 0, "\(generated.stderr)")
        let sites = try CLI.run(["sites", "--data", data.path])
        #expect(sites.status == 0, "\(sites.stderr)")
        #expect(sites.stdout.contains("example.org"), "\(sites.stdout)")
        for (group, says) in [
            ("keys", "No keys yet"), ("users", "No logins yet"), ("reports", "No reports yet"),
            ("rollups", "No rollups yet"), ("journal", "segments"),
        ] {
            let run = try CLI.run([group, "--data", data.path])
            #expect(run.status == 0, "\(group): \(run.stderr)")
            #expect(run.stdout.contains(says), "\(group): \(run.stdout)")
        }
        // `help` after a command shows that command's help, as `infinity help …` does.
        for words in [["sites", "help"], ["journal", "verify", "help"]] {
            let run = try CLI.run(words)
            #expect(run.status == 0, "\(words): \(run.stderr)")
            #expect(run.stdout.contains("USAGE: infinity \(words.dropLast().joined(separator: " "))"), "\(run.stdout)")
        }
        // Groups whose listing needs a site still show their help.
        let goals = try CLI.run(["goals"])
        #expect(goals.stdout.contains("SUBCOMMANDS"), "\(goals.stdout)\(goals.stderr)")
    }

    @Test("a data folder that does not exist is named as such, not as an unknown site")
    func missingDataFolder() throws {
        let run = try CLI.run(["query", "example.com", "--data", "/nonexistent/infinity-data"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("there is no data folder at /nonexistent/infinity-data"), "\(run.stderr)")
        #expect(!run.stderr.contains("not a registered site"))
    }

    @Test("a port in use is named before serve does any work")
    func portInUse() throws {
        let data = TemporaryDirectory()
        let socket = try ListeningSocket()
        let run = try CLI.run(["serve", "--data", data.path + "/fresh", "--listen", "127.0.0.1:\(socket.port)"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("127.0.0.1:\(socket.port) is already in use"), "\(run.stderr)")
        #expect(!run.stderr.contains("rebuilding"))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/fresh"), "serve created the data folder first")
    }

    @Test("CSV exports neutralise spreadsheet formulas in visitor-sent values")
    func csvFormulasNeutralised() throws {
        let data = TemporaryDirectory()
        #expect(try CLI.run(["sites", "add", "elastic.example", "--data", data.path]).status == 0)
        let log = data.path + "/access.log"
        let agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/38.0"
        let campaigns = ["=HYPERLINK(\"http://evil.example\")", "+SUM(1)", "-2", "@cmd", "spring"]
        let lines = campaigns.enumerated().map { index, campaign in
            let encoded = campaign.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? campaign
            return
                #"198.51.100.\#(index) - - [18/May/2015:10:00:0\#(index) +0000] "GET /?utm_campaign=\#(encoded) HTTP/1.1" 200 5 "-" "\#(agent)""#
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let imported = try CLI.run([
            "import", "access-log", log, "--site", "elastic.example", "--data", data.path, "--progress", "none",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        let csv = try CLI.run([
            "query", "elastic.example", "--data", data.path, "--range", "2015-05-18..2015-05-18", "--by",
            "utm_campaign", "--format", "csv",
        ])
        #expect(csv.status == 0, "\(csv.stderr)")
        let cells = csv.stdout.split(separator: "\n").dropFirst().map { line -> String in
            let text = String(line)
            if text.hasPrefix("\"") { return String(text.dropFirst().prefix { $0 != "\"" }) + "…" }
            return String(text.prefix { $0 != "," })
        }
        #expect(cells.count == campaigns.count, "\(csv.stdout)")
        for cell in cells {
            #expect(!"=+-@".contains(cell.first ?? " "), "a cell starts like a formula: \(cell)")
        }
        #expect(cells.contains("spring"))
        #expect(cells.contains("'-2"))
    }
}

/// A socket listening on a free loopback port, closed when released.
final class ListeningSocket {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw CLI.Failure(message: "cannot listen on a loopback port")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
