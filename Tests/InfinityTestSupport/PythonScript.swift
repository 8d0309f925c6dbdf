import Foundation

/// Runs a Python script (DuckDB as an outside oracle, a browser driver) and collects what it wrote.
public enum PythonScript {
    /// What a run gave.
    public struct Outcome: Sendable {
        /// The exit status.
        public let status: Int32
        /// Standard output.
        public let output: Data
        /// Standard error.
        public let errors: String
    }

    /// Runs `python -c script arguments…` and waits for it.
    public static func run(_ python: String, script: String, arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Standard error on its own thread, so that neither pipe fills while the other is read.
        let errors = ErrorText()
        let reader = Thread {
            errors.set(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1_000) }
        return Outcome(status: process.terminationStatus, output: output, errors: errors.get())
    }

    /// Standard error's text, handed from the reading thread.
    ///
    /// `@unchecked Sendable`: `text` is only touched under `lock`.
    private final class ErrorText: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func set(_ value: String) { lock.withLock { text = value } }
        func get() -> String { lock.withLock { text } }
    }
}
