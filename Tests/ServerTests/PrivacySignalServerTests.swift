import Foundation
import Testing

/// `Sec-GPC: 1` and `DNT: 1` over HTTP, and the tracker's own flag: dropped for a site that
/// honours them, counted for one that does not; the setting changes while serve runs.
@Suite("serve honours Do Not Track and Global Privacy Control when a site asks")
struct PrivacySignalServerTests {
    static func post(_ connection: HTTPConnection, domain: String, headers: [String: String] = [:], flag: Bool = false)
        throws -> HTTPConnection.Response
    {
        let body = #"{"n":"pageview","u":"https://\#(domain)/","d":"\#(domain)"\#(flag ? #","g":1"# : "")}"#
        return try connection.request(
            "POST", "/api/event",
            headers: ["Content-Type": "text/plain", "User-Agent": ServeEndToEndTests.chrome].merging(headers) { $1 },
            body: Array(body.utf8))
    }

    @Test("the header or the tracker's flag drops the hit for an honouring site, with its own reason")
    func signalsAreHonoured() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try ServerProcess(data: data, sites: ["example.com"])
        let added = try ServerProcess.run([
            "sites", "add", "private.example", "--data", data, "--enable-privacy-signals",
        ])
        #expect(added.contains("Do Not Track and Global Privacy Control honoured"), "\(added)")
        #expect(try ServerProcess.run(["sites", "list", "--data", data]).contains("honoured"))
        let connection = try HTTPConnection(port: server.port)
        // The new site reaches the running server within a second or so.
        #expect(
            try LiveAdministrationTests.eventually {
                try Self.post(connection, domain: "private.example", headers: ["Sec-GPC": "1"]).headers[
                    "x-infinity-drop-reason"] == "visitor-choice"
            })
        #expect(
            try Self.post(connection, domain: "private.example", headers: ["DNT": "1"]).headers[
                "x-infinity-drop-reason"] == "visitor-choice")
        #expect(
            try Self.post(connection, domain: "private.example", flag: true).headers["x-infinity-drop-reason"]
                == "visitor-choice")
        #expect(try Self.post(connection, domain: "private.example").headers["x-infinity-dropped"] == "0")
        #expect(
            try Self.post(connection, domain: "example.com", headers: ["Sec-GPC": "1"]).headers["x-infinity-dropped"]
                == "0")
        #expect(
            try ServerProcess.metric("infinity_events_dropped_total{reason=\"visitor-choice\"}", from: connection) == 3)
        // Switched off while serve runs: counted again.
        _ = try ServerProcess.run(["sites", "add", "private.example", "--data", data, "--disable-privacy-signals"])
        #expect(
            try LiveAdministrationTests.eventually {
                try Self.post(connection, domain: "private.example", headers: ["Sec-GPC": "1"]).headers[
                    "x-infinity-dropped"] == "0"
            })
        // The tracker sends the flag when the browser exposes the signal.
        let script = try connection.request("GET", "/js/script.js").body
        #expect(script.contains("globalPrivacyControl") && script.contains("b.g=1"))
        #expect(server.stop() == 0)
    }
}
