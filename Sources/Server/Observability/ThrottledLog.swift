import Logging
import Synchronization

/// Logs an error that may repeat with every request (the salt file cannot be written, say) once,
/// then at most once per `interval` with how often it recurred meanwhile, so that a fault under
/// load does not flood the log (or fill the disk the log is on).
final class ThrottledLog: Sendable {
    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var suppressed = 0
    }

    private let state = Mutex(State())
    let interval: Duration

    init(interval: Duration = .seconds(60)) { self.interval = interval }

    func error(_ message: Logger.Message, metadata: Logger.Metadata, to logger: Logger) {
        log(.error, message, metadata: metadata, to: logger)
    }

    func warning(_ message: Logger.Message, metadata: Logger.Metadata, to logger: Logger) {
        log(.warning, message, metadata: metadata, to: logger)
    }

    private func log(_ level: Logger.Level, _ message: Logger.Message, metadata: Logger.Metadata, to logger: Logger) {
        let now = ContinuousClock.now
        let suppressed: Int? = state.withLock { state in
            if let last = state.lastLogged, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer {
                state.lastLogged = now
                state.suppressed = 0
            }
            return state.suppressed
        }
        guard let suppressed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["repeated_since_last_line"] = "\(suppressed)" }
        logger.log(level: level, message, metadata: metadata)
    }
}
