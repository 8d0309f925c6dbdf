import Journal
import Logging
import ServiceLifecycle

/// The journal writer as a long-running service: when the service group shuts down (SIGTERM,
/// SIGINT), it waits for the HTTP server to stop, then writes and fsyncs what is queued and closes.
public struct JournalService: Service {
    /// The writer.
    public let writer: JournalWriter
    let logger: Logger

    /// A service owning `writer`.
    public init(writer: JournalWriter, logger: Logger) {
        self.writer = writer
        self.logger = logger
    }

    /// Runs until shutdown, then flushes and closes the journal.
    public func run() async throws {
        try? await gracefulShutdown()
        logger.info("flushing the journal", metadata: ["queued": "\(writer.queueDepth)"])
        try await writer.close()
        logger.info("journal closed", metadata: ["durable": "\(writer.durableSequence)"])
    }
}
