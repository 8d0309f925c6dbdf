import Foundation
import InfinityTestSupport
import Synchronization
import Testing

/// The real `infinity serve` in a child process on a free loopback port.
final class ServerProcess {
    static let executable = BuiltBinary.infinity

    static let geoip = BuiltBinary.geoip.path

    let data: String
    let process = Process()
    let port: Int
    private let errors = LogBox()
    /// Signalled when the server's standard error reached its end (the process exited).
    private let logEnded = DispatchSemaphore(value: 0)

    /// The server's standard error, collected by a reader thread.
    final class LogBox: Sendable {
        let text = Mutex<String>("")
        func append(_ more: String) { text.withLock { $0 += more } }
        var value: String { text.withLock { $0 } }
    }

    /// Registers `sites` and starts the server.
    /// With `shippedGeoIP`, no `--geoip` is passed, so the server finds its own database. With
    /// `onlyArguments`, the server gets `serve` and `arguments` and nothing else (its settings come
    /// from a config file). With `softOpenFiles`, the server starts with that soft open-file limit
    /// (as a shell's `ulimit -Sn` would start it) and the test process's hard limit. `executable`
    /// is the `infinity` to run (the built one unless an installed copy is tested).
    init(
        data: String, sites: [String] = ["example.com"], arguments: [String] = [], shippedGeoIP: Bool = false,
        onlyArguments: Bool = false, softOpenFiles: Int? = nil, executable: URL = ServerProcess.executable
    ) throws {
        self.data = data
        for site in sites { _ = try Self.run(["sites", "add", site, "--data", data]) }
        let serve =
            onlyArguments
            ? ["serve"] + arguments
            : ["serve", "--data", data, "--listen", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1"]
                + (shippedGeoIP ? [] : ["--geoip", Self.geoip]) + arguments
        if let softOpenFiles {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments =
                ["-c", "ulimit -Sn \(softOpenFiles) && exec \"$0\" \"$@\"", executable.path] + serve
        } else {
            process.executableURL = executable
            process.arguments = serve
        }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The server names its port on standard error once it listens.
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "listening on http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let found else { throw NSError(domain: "server did not start: \(text)", code: 1) }
        port = found
        errors.append(text)
        let handle = err.fileHandleForReading
        let box = errors
        let ended = logEnded
        Thread.detachNewThread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty {
                    ended.signal()
                    return
                }
                box.append(String(decoding: chunk, as: UTF8.self))
            }
        }
    }

    var log: String { errors.value }

    /// Sends SIGTERM and waits; returns the exit status. The server's last log lines are in
    /// ``log`` then.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        waitForLogEnd()
        return process.terminationStatus
    }

    /// Waits until everything the exited server wrote to standard error was read (a child it
    /// started could keep the pipe open: then at most 10 s).
    private func waitForLogEnd() {
        if logEnded.wait(timeout: .now() + 10) == .success { logEnded.signal() }
    }

    /// Sends SIGTERM and waits at most `seconds` for the process to end: its exit status, or nil
    /// when it was still running then (it is killed, so the test run goes on).
    func stop(within seconds: Double) -> Int32? {
        process.terminate()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            kill()
            return nil
        }
        waitForLogEnd()
        return process.terminationStatus
    }

    /// Reads a gauge or counter from `/metrics` (-1 when it is not there).
    static func metric(_ name: String, from connection: HTTPConnection) throws -> Int {
        let body = try connection.request("GET", "/metrics").body
        return body.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
            Double($0.split(separator: " ")[1]).map { Int($0) }
        } ?? -1
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Runs `infinity` for a test's setup; its standard output. A failing command fails the
    /// test (its exit status and standard error are recorded).
    static func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let run = try ChildProcess.run(executable, arguments)
        if run.status != 0 {
            Issue.record(
                "`infinity \(arguments.prefix(3).joined(separator: " "))` exited \(run.status): \(run.errors)",
                sourceLocation: sourceLocation)
        }
        return String(decoding: run.output, as: UTF8.self)
    }

    /// Runs `infinity` to completion: its exit status and what it wrote (standard output, then
    /// standard error).
    static func invoke(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryFolder(_ name: String = #function) -> String {
        let path =
            NSTemporaryDirectory()
            + "infinity-server-\(name.filter { $0.isLetter }.prefix(30))-\(UUID().uuidString.prefix(8))"
        // A folder that cannot be made fails the test at its first file operation there.
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
