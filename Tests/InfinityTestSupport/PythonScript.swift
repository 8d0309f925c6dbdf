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
        let run = try ChildProcess.run(URL(fileURLWithPath: python), ["-c", script] + arguments)
        return Outcome(status: run.status, output: run.output, errors: run.errors)
    }
}
