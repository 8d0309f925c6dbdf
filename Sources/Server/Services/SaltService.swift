import Foundation
import Logging
import ServiceLifecycle

/// Keeps the daily salts on time: every minute it runs a pass that deletes salts whose day is more
/// than a day behind its site's current day (also for sites without traffic since, which no hit
/// would rotate), and, with salts shared through ClickHouse, settles today's and tomorrow's salts
/// before hits need them. A failed pass is logged once and retried a minute later.
public struct SaltService: Service {
    /// One pass at `now` (ms UTC); returns the number of days' salts deleted. It may block (it
    /// runs on a Dispatch thread, not on the concurrency pool).
    let pass: @Sendable (Int64) throws -> Int
    let interval: Duration
    let logger: Logger

    /// A service running `pass` every `interval`, the first time at once.
    public init(interval: Duration = .seconds(60), logger: Logger, pass: @escaping @Sendable (Int64) throws -> Int) {
        self.pass = pass
        self.interval = interval
        self.logger = logger
    }

    /// Runs until shutdown.
    public func run() async throws {
        var lastError: String?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pass = self.pass
            let outcome: Result<Int, Error> = await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(returning: Result { try pass(Int64(Date().timeIntervalSince1970 * 1000)) })
                }
            }
            switch outcome {
            case .success(let deleted):
                if deleted > 0 { logger.info("deleted old daily salts", metadata: ["days": "\(deleted)"]) }
                if lastError != nil { logger.notice("the daily salts are in order again") }
                lastError = nil
            case .failure(let error):
                let message = "\(error)"
                if message != lastError {
                    logger.error(
                        "the daily salts could not be settled; retrying every minute", metadata: ["error": "\(message)"]
                    )
                }
                lastError = message
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
