import Foundation
import InfinityTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The files of `Docs/deploy` that an operator copies onto a server: the systemd unit, the config
/// file and nginx's server block. They are run here as written (only paths, ports and the
/// certificate replaced), so a renamed flag or a wrong directive fails a test, not a deployment.
@Suite("the deployment files of Docs/deploy, run as written", .serialized)
struct DeploymentTests {
    static let deploy = BuiltBinary.packageRoot.appendingPathComponent("Docs/deploy")

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
    }

    /// `text` with `old` replaced by `new`; a missing `old` (the documented file changed) fails.
    static func replacing(_ old: String, with new: String, in text: String) throws -> String {
        guard text.contains(old) else { throw Failure(description: "'\(old)' is no longer in the documented file") }
        return text.replacingOccurrences(of: old, with: new)
    }

    /// A port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The arguments the unit's `ExecStart` gives `infinity`, with the config file's path swapped
    /// for `config`.
    static func unitArguments(config: String) throws -> [String] {
        let unit = try text("infinity.service")
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let words = line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
        #expect(words.first?.hasSuffix("/infinity") == true, "\(words)")
        #expect(Array(words.dropFirst().prefix(3)) == ["serve", "--config", "/etc/infinity/infinity.toml"])
        return Array(words.dropFirst(2)).map { $0 == "/etc/infinity/infinity.toml" ? config : $0 }
    }

    /// `serve` started as the unit starts it, with the documented config file (its data folder
    /// and port replaced).
    static func serveAsDocumented(data: String, work: String) throws -> ServerProcess {
        var settings = try text("infinity.toml")
        settings = try replacing(#"data = "/var/lib/infinity""#, with: #"data = "\#(data)""#, in: settings)
        settings = try replacing(#"listen = "127.0.0.1:8080""#, with: #"listen = "127.0.0.1:0""#, in: settings)
        let config = work + "/infinity.toml"
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        return try ServerProcess(data: data, arguments: try unitArguments(config: config), onlyArguments: true)
    }

    @Test(
        "nginx with the documented server block in front of serve: HTTPS events get the visitor's country, the dashboard and API answer, no address is logged"
    )
    func nginxInFront() throws {
        let work = TemporaryDirectory()
        let data = work.path + "/data"
        let server = try Self.serveAsDocumented(data: data, work: work.path)
        defer { _ = server.stop() }
        let key = try ServerProcess.run(["keys", "create", "proxy test", "--data", data])
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let tls = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/openssl"),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=analytics.example.com",
                "-keyout", work.path + "/key.pem", "-out", work.path + "/cert.pem",
            ])
        #expect(tls.status == 0, "\(tls.errors)")

        let (https, http) = (try Self.freePort(), try Self.freePort())
        var site = try Self.text("nginx.conf")
        site = try Self.replacing("    listen [::]:443 ssl;\n", with: "", in: site)
        site = try Self.replacing("    listen [::]:80;\n", with: "", in: site)
        site = try Self.replacing("listen 443 ssl;", with: "listen 127.0.0.1:\(https) ssl;", in: site)
        site = try Self.replacing("listen 80;", with: "listen 127.0.0.1:\(http);", in: site)
        site = try Self.replacing(
            "/etc/letsencrypt/live/analytics.example.com/fullchain.pem", with: work.path + "/cert.pem", in: site)
        site = try Self.replacing(
            "/etc/letsencrypt/live/analytics.example.com/privkey.pem", with: work.path + "/key.pem", in: site)
        site = try Self.replacing("http://127.0.0.1:8080", with: "http://127.0.0.1:\(server.port)", in: site)
        // The surrounding nginx.conf logs every request, as Debian's does: the server block must
        // turn that off for itself.
        let temporary = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map {
            "\($0)_temp_path \(work.path)/nginx-\($0);"
        }.joined(separator: " ")
        let main = """
            worker_processes 1;
            daemon off;
            pid \(work.path)/nginx.pid;
            error_log \(work.path)/nginx-error.log;
            events { worker_connections 64; }
            http {
              access_log \(work.path)/nginx-access.log;
              \(temporary)
            \(site)
            }
            """
        try main.write(toFile: work.path + "/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-c", work.path + "/nginx.conf", "-p", work.path]
        nginx.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try nginx.run()
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        #expect(
            LiveAdministrationTests.eventually { (try? HTTPConnection(port: https)) != nil },
            "nginx did not start: \((try? String(contentsOfFile: work.path + "/nginx-error.log", encoding: .utf8)) ?? "")"
        )

        /// One request through nginx over HTTPS, as a browser on 81.2.69.142 would make it
        /// behind a CDN that names it; the status and body.
        func curl(_ path: String, _ extra: [String] = []) throws -> (status: Int, body: String) {
            let body = work.path + "/body"
            let run = try ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/curl"),
                [
                    "-sk", "--resolve", "analytics.example.com:\(https):127.0.0.1", "-o", body, "-w", "%{http_code}",
                    "-H", "X-Forwarded-For: 81.2.69.142", "-A", ServeEndToEndTests.chrome,
                    "https://analytics.example.com:\(https)\(path)",
                ] + extra)
            let status = Int(String(decoding: run.output, as: UTF8.self)) ?? 0
            return (status, (try? String(contentsOfFile: body, encoding: .utf8)) ?? "")
        }

        let event = String(decoding: ServeEndToEndTests.event("/through-nginx"), as: UTF8.self)
        #expect(try curl("/api/event", ["-H", "Content-Type: application/json", "--data-binary", event]).status == 202)
        let script = try curl("/js/script.js")
        #expect(script.status == 200 && script.body.contains("/api/event"))
        #expect(try curl("/").status == 200, "the dashboard's page")
        let question = #"{"site_id": "example.com", "metrics": ["pageviews"], "date_range": "day"}"#
        let answer = try curl(
            "/api/v2/query",
            ["-H", "Authorization: Bearer \(key)", "-H", "Content-Type: application/json", "--data-binary", question])
        #expect(answer.status == 200, "\(answer.body)")
        // Plain HTTP is sent to HTTPS.
        let plain = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/curl"),
            ["-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(http)/"])
        #expect(String(decoding: plain.output, as: UTF8.self).hasPrefix("301 https://"))

        #expect(server.stop() == 0)
        let dump = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        #expect(dump.contains(#""pathname":"/through-nginx""#) && dump.contains(#""country":"GB""#), "\(dump)")
        // nginx logged none of the requests (each line would name the client's address and user
        // agent), and neither the server's data nor anything nginx wrote holds the visitor's
        // address or raw user agent.
        let accessLog = (try? String(contentsOfFile: work.path + "/nginx-access.log", encoding: .utf8)) ?? ""
        #expect(accessLog.isEmpty, "nginx logged requests: \(accessLog.prefix(300))")
        let written = try FileManager.default.subpathsOfDirectory(atPath: work.path).filter {
            !$0.hasSuffix(".pem") && !$0.hasSuffix("nginx.conf")
        }
        for path in written {
            let text = String(
                decoding: (try? Data(contentsOf: URL(fileURLWithPath: work.path + "/" + path))) ?? Data(), as: UTF8.self
            )
            #expect(!text.contains("81.2.69.142"), "\(path) holds the visitor's address")
            #expect(!text.contains(ServeEndToEndTests.chrome), "\(path) holds the visitor's user agent")
        }
    }

    @Test(
        "Scripts/install.sh puts infinity and its country database under a prefix, where the installed serve finds it")
    func installedCopyFindsItsDatabase() throws {
        let work = TemporaryDirectory()
        let prefix = work.path + "/usr/local"
        let script = BuiltBinary.packageRoot.appendingPathComponent("Scripts/install.sh").path
        let install = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), [script, prefix, ServerProcess.executable.path])
        #expect(install.status == 0, "\(install.errors)")
        let installed = URL(fileURLWithPath: prefix + "/bin/infinity")
        #expect(FileManager.default.isExecutableFile(atPath: installed.path))
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/infinity/LICENSE-DBIP.txt"))
        // No --geoip: the installed copy must find the database it was installed with (the build
        // tree's copy would also be found as a last resort, so the log's path is what tells).
        let data = work.path + "/data"
        let server = try ServerProcess(data: data, shippedGeoIP: true, executable: installed)
        defer { _ = server.stop() }
        #expect(
            server.log.contains("geoip=\(prefix)/share/infinity/dbip-country-lite.mmdb"), "\(server.log.prefix(2000))")
        let connection = try HTTPConnection(port: server.port)
        #expect(try connection.sendPageview("/installed").status == 202)
        #expect(server.stop() == 0)
        let dump = try ServerProcess.run(["journal", "dump", "--data", data, "--format", "ndjson"])
        #expect(dump.contains(#""country":"GB""#), "\(dump)")

        // Without a build, the script says what to run first.
        let unbuilt = try ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), [script, prefix, work.path + "/not-built/infinity"])
        #expect(unbuilt.status != 0 && unbuilt.errors.contains("run 'make release' first"), "\(unbuilt.errors)")
    }

    @Test("the systemd unit passes systemd-analyze verify, and its command starts serve with the documented config")
    func systemdUnit() throws {
        let work = TemporaryDirectory()
        let unit = try Self.replacing(
            "ExecStart=/usr/local/bin/infinity", with: "ExecStart=\(ServerProcess.executable.path)",
            in: try Self.text("infinity.service"))
        try unit.write(toFile: work.path + "/infinity.service", atomically: true, encoding: .utf8)
        let verify = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["verify", work.path + "/infinity.service"])
        #expect(verify.status == 0, "\(verify.errors)")

        let data = work.path + "/data"
        let server = try Self.serveAsDocumented(data: data, work: work.path)
        defer { _ = server.stop() }
        let connection = try HTTPConnection(port: server.port)
        #expect(try connection.request("GET", "/healthz").status == 200)
        // The documented settings are the ones in effect.
        let settings = try #require(server.log.split(separator: "\n").first { $0.contains("settings") })
        #expect(settings.contains("retention=400") && settings.contains("trusted_proxies=127.0.0.1,::1"), "\(settings)")
        // SIGHUP, as `systemctl reload` sends it, re-reads the file.
        kill(server.process.processIdentifier, SIGHUP)
        #expect(LiveAdministrationTests.eventually { server.log.contains("SIGHUP: re-read the config file") })
        // SIGTERM, as `systemctl stop` sends it, ends the server cleanly.
        #expect(server.stop() == 0)
    }
}
