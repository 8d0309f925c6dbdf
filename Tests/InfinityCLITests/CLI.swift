import Foundation
@_exported import InfinityTestSupport
import Testing

/// Runs the real `infinity` binary that `swift build` put next to this test bundle.
enum CLI {
    /// The built executable.
    static let executable = BuiltBinary.infinity

    /// A step of a test's setup that failed.
    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    struct Output {
        /// The exit status, or minus the signal that ended the process.
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `infinity` with `arguments` to completion; `input` (a few KB at most) is its standard input.
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Output {
        let run = try ChildProcess.run(executable, arguments, input: input, environment: environment)
        return Output(status: run.status, stdout: String(decoding: run.output, as: UTF8.self), stderr: run.errors)
    }
}
