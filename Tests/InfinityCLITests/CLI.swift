import Foundation
@_exported import InfinityTestSupport
import Synchronization
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
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errData = Mutex<Data>(Data())
        let reader = Thread { errData.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while reader.isExecuting || !reader.isFinished { usleep(1000) }
        return Output(
            status: process.terminationReason == .uncaughtSignal
                ? -process.terminationStatus : process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }
}
