import Logging

/// What a client is told when the server fails on its side: a short reason and where to look,
/// never the error itself (which names files of this machine). The log gets the details.
enum ServerFailure {
    /// Logs `error` in full and returns the message for the answer's body.
    static func report(_ error: any Error, logger: Logger) -> String {
        let id = String(UInt32.random(in: .min ... .max), radix: 16)
        logger.error("query failed", metadata: ["error": "\(error)", "failure_id": "\(id)"])
        return "the numbers could not be read on the server (failure \(id)); the server log has the details"
    }
}
