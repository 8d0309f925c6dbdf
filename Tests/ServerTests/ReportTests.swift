import Foundation
import InfinityTestSupport
import Testing

/// E-mail reports through a real SMTP server on loopback (aiosmtpd, Mail/smtp_sink.py): with
/// STARTTLS and a login, sent now from the CLI and on schedule by `infinity serve`; the numbers in
/// the message are the CLI's.
@Suite("e-mail reports", .serialized)
struct ReportTests {
    /// A running SMTP sink writing messages into `folder`; with `tls`, it offers STARTTLS (and
    /// requires it) with a certificate for localhost, and a login sender / s3cret pass.
    final class SMTPSink {
        let process = Process()
        let port: Int
        let folder: String
        let certificate: String

        init(folder: String, tls: Bool) throws {
            self.folder = folder
            certificate = folder + "-cert.pem"
            let python = try #require(BrowserTests.python, "`make test` installs aiosmtpd into .build/oracle")
            var arguments = [
                BuiltBinary.packageRoot.appendingPathComponent("Tests/ServerTests/Mail/smtp_sink.py").path, folder,
            ]
            if tls {
                let openssl = Process()
                openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
                openssl.arguments = [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "-key.pem", "-out",
                    certificate, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                ]
                openssl.standardError = FileHandle.nullDevice
                try openssl.run()
                openssl.waitUntilExit()
                try #require(openssl.terminationStatus == 0, "openssl could not make a certificate")
                arguments += [certificate, folder + "-key.pem", "sender:s3cret pass"]
            }
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            while !text.contains("\n") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            port = try #require(
                Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        }

        deinit { process.terminate() }

        /// The messages received so far: (envelope, message text).
        func messages() -> [([String: Any], String)] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
                $0.hasSuffix(".eml")
            }
            return names.sorted().compactMap { name in
                let base = folder + "/" + name.dropLast(4)
                guard let envelope = FileManager.default.contents(atPath: base + ".json"),
                    let object = try? JSONSerialization.jsonObject(with: envelope) as? [String: Any],
                    let message = FileManager.default.contents(atPath: base + ".eml")
                else { return nil }
                return (object, String(decoding: message, as: UTF8.self))
            }
        }
    }

    /// The text part of a message (base64 in it).
    static func text(of message: String) -> String {
        let parts = message.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        guard let index = parts.firstIndex(where: { $0.contains("Content-Type: text/plain") }), index + 1 < parts.count
        else { return "" }
        let encoded = parts[index + 1].split(separator: "\n").prefix { !$0.hasPrefix("--") }.joined()
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// `infinity query` for last week (Monday to Sunday before this week, in UTC): visitors, pageviews.
    static func lastWeek(_ data: String) throws -> (visitors: Int, pageviews: Int, first: String) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let thisMonday = calendar.dateInterval(of: .weekOfYear, for: Date())!.start
        let monday = calendar.date(byAdding: .day, value: -7, to: thisMonday)!
        let sunday = calendar.date(byAdding: .day, value: -1, to: thisMonday)!
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd"
        format.timeZone = calendar.timeZone
        let run = try ServerProcess.run([
            "query", "example.com", "--data", data, "--range",
            "\(format.string(from: monday))..\(format.string(from: sunday))",
            "--metrics", "visitors,pageviews", "--format", "csv",
        ])
        let numbers = run.split(separator: "\n").last?.split(separator: ",").compactMap { Int($0) } ?? []
        return (numbers.first ?? -1, numbers.last ?? -1, format.string(from: monday))
    }

    static func grouped(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }

    @Test(
        "reports send: through STARTTLS and a login, the last week's numbers as the CLI counts them; no password over plain text"
    )
    func sendNowThroughTLS() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "16", "--hits-per-day", "800", "--sync",
            "none",
        ])
        let sink = try SMTPSink(folder: data + "/mail", tls: true)
        let url = "smtp://sender:s3cret%20pass@localhost:\(sink.port)?ca=\(sink.certificate)"
        let sent = try ServerProcess.invoke([
            "reports", "send", "example.com", "--data", data, "--to", "owner@example.com", "--period", "week",
            "--smtp-url", url, "--mail-from", "Infinity Metrics <reports@example.com>",
        ])
        #expect(sent.status == 0, "\(sent.output)")
        let messages = sink.messages()
        try #require(messages.count == 1)
        let (envelope, message) = messages[0]
        #expect(envelope["tls"] as? Bool == true && envelope["login"] as? Bool == true, "\(envelope)")
        #expect(envelope["to"] as? [String] == ["owner@example.com"])
        let week = try Self.lastWeek(data)
        #expect(week.visitors > 100)
        #expect(
            message.contains(
                "Subject: example.com: \(Self.grouped(week.visitors)) visitors in the week of \(week.first)"),
            "\(message.prefix(400))")
        let text = Self.text(of: message)
        #expect(text.contains("Visitors        \(Self.grouped(week.visitors))"), "\(text)")
        #expect(text.contains("Pageviews       \(Self.grouped(week.pageviews))"), "\(text)")
        #expect(text.contains("Top pages") && text.contains("Top sources"))
        #expect(message.contains("Content-Type: text/html"))

        // A server without TLS never gets the password.
        let plain = try SMTPSink(folder: data + "/plain", tls: false)
        let refused = try ServerProcess.invoke([
            "reports", "send", "example.com", "--data", data, "--to", "owner@example.com", "--smtp-url",
            "smtp://sender:secret@127.0.0.1:\(plain.port)",
        ])
        #expect(refused.status != 0 && refused.output.contains("the password is not sent"), "\(refused.output)")
        #expect(plain.messages().isEmpty)
    }

    @Test("serve sends a new recipient's weekly report once, and records it so that it is not sent again")
    func serveSendsOnSchedule() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try ServerProcess.run([
            "generate", "--data", data, "--site", "example.com", "--days", "16", "--hits-per-day", "500", "--sync",
            "none",
        ])
        _ = try ServerProcess.run([
            "reports", "add", "example.com", "--to", "team@example.com", "--period", "week", "--data", data,
        ])
        let sink = try SMTPSink(folder: data + "/mail", tls: false)
        let server = try ServerProcess(
            data: data, sites: [],
            arguments: ["--smtp-url", "smtp://127.0.0.1:\(sink.port)", "--mail-from", "r@example.com"])
        defer { _ = server.stop() }
        #expect(LiveAdministrationTests.eventually { sink.messages().count == 1 }, "no report arrived")
        let week = try Self.lastWeek(data)
        #expect(
            sink.messages().first?.1.contains("\(Self.grouped(week.visitors)) visitors in the week of \(week.first)")
                == true)
        #expect(
            try LiveAdministrationTests.eventually {
                try ServerProcess.run(["reports", "list", "--data", data]).contains(week.first)
            }, "the report was not recorded as sent")
        // Logged just after the report is recorded as sent, so it may be a moment behind the list.
        #expect(
            LiveAdministrationTests.eventually { server.log.contains("sent the weekly report of example.com") },
            "\(server.log)")
    }

    @Test("an owner invites by e-mail: the link arrives, sets a password once, and the new login has the invited role")
    func inviteByEmail() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let sink = try SMTPSink(folder: data + "/mail", tls: false)
        let server = try ServerProcess(
            data: data, arguments: ["--smtp-url", "smtp://127.0.0.1:\(sink.port)", "--mail-from", "r@example.com"])
        defer { _ = server.stop() }
        #expect(try DashboardTests.addUser("owner@example.com", password: DashboardTests.password, data: data) == 0)
        let http = try HTTPConnection(port: server.port)
        func login(_ email: String, _ password: String) throws -> HTTPConnection.Response {
            try http.request(
                "POST", "/api/dashboard/login", headers: ["Content-Type": "application/json"],
                body: Array(#"{"email": "\#(email)", "password": "\#(password)"}"#.utf8))
        }
        var owner: HTTPConnection.Response?
        #expect(
            try LiveAdministrationTests.eventually {
                owner = try login("owner@example.com", DashboardTests.password)
                return owner?.status == 200
            })
        let cookie = try #require(owner?.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let csrf = try #require(
            (try JSONSerialization.jsonObject(with: Data((owner?.body ?? "").utf8)) as? [String: Any])?["csrf"]
                as? String)
        let invited = try http.request(
            "POST", "/api/dashboard/settings", headers: ["Cookie": cookie, "X-CSRF-Token": csrf],
            body: Array(#"{"action": "invite_user", "email": "New@Example.com", "role": "viewer"}"#.utf8))
        #expect(invited.status == 200, "\(invited.body)")
        #expect(invited.body.contains("new@example.com"), "the invitation is listed as open")

        let messages = sink.messages()
        try #require(messages.count == 1)
        #expect(messages[0].0["to"] as? [String] == ["new@example.com"])
        let letter = Self.text(of: messages[0].1)
        let token = try #require(
            letter.split(separator: "\n").first { $0.contains("/invite/") }?.components(separatedBy: "/invite/").last)
        #expect(try http.request("GET", "/invite/\(token)").status == 200)
        func accept() throws -> HTTPConnection.Response {
            try http.request(
                "POST", "/api/dashboard/invite", headers: ["Content-Type": "application/json"],
                body: Array(#"{"token": "\#(token)", "password": "a new person's password"}"#.utf8))
        }
        #expect(try accept().status == 200)
        #expect(try accept().status == 404, "a link works once")
        let joined = try login("new@example.com", "a new person's password")
        #expect(joined.status == 200)
        let newCookie = try #require(joined.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(
            try http.request("GET", "/api/dashboard/session", headers: ["Cookie": newCookie]).body.contains(
                #""role":"viewer""#))
        #expect(
            !(try String(contentsOfFile: data + "/invites.json", encoding: .utf8).contains(token)),
            "only a hash is stored")
    }
}
