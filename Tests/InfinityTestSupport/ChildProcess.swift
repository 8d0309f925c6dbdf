import Foundation
import Synchronization

/// Runs a program to completion and collects what it wrote: standard error is read on a thread of
/// its own, so that neither pipe fills while the other is read, and joined before returning.
public enum ChildProcess {
    /// What a run gave.
    public struct Outcome: Sendable {
        /// The exit status, or minus the signal that ended the process.
        public let status: Int32
        /// Standard output.
        public let output: Data
        /// Standard error.
        public let errors: String
    }

    /// Runs `executable` with `arguments`; `input` (a few KB at most) is its standard input, and
    /// `environment` is added to this process's.
    public static func run(
        _ executable: URL, _ arguments: [String], input: String? = nil, environment: [String: String] = [:]
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        if input != nil { process.standardInput = inPipe }
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let errors = Mutex(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errors.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() }
            errorsRead.signal()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorsRead.wait()
        return Outcome(
            status: process.terminationReason == .uncaughtSignal
                ? -process.terminationStatus : process.terminationStatus,
            output: output, errors: String(decoding: errors.withLock { $0 }, as: UTF8.self))
    }
}
