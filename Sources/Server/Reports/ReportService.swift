import Foundation
import Logging
import Projections
import Query
import ServiceLifecycle

/// Sends the e-mail reports of `reports.json` once each period is complete (the first check after
/// the site's midnight that ends a week or month; a new recipient gets the last whole period at
/// once). Looks every minute; a report that fails is tried again 15 minutes later.
public struct ReportService: Service {
    /// Who gets what.
    public let reports: ReportStore
    /// The numbers.
    public let engine: QueryEngine
    /// How the mail leaves.
    public let smtp: SMTPSettings
    let logger: Logger

    /// A service.
    public init(reports: ReportStore, engine: QueryEngine, smtp: SMTPSettings, logger: Logger) {
        self.reports = reports
        self.engine = engine
        self.smtp = smtp
        self.logger = logger
    }

    /// Checks every minute until shutdown.
    public func run() async throws {
        var failed: [ReportStore.Subscription: Date] = [:]
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await sendDue(now: Date(), failed: &failed)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
        }
    }

    /// Sends every report whose last whole period has not been sent yet.
    func sendDue(now: Date, failed: inout [ReportStore.Subscription: Date]) async {
        let milliseconds = Int64(now.timeIntervalSince1970 * 1000)
        for subscription in reports.all where engine.worker.calendar.zones[subscription.site] != nil {
            var clock = engine.worker.calendar.clock(for: subscription.site)
            let first = DayKey.isoDate(subscription.period.lastComplete(before: clock.day(of: milliseconds)).lowerBound)
            guard subscription.lastSent != first else { continue }
            if let last = failed[subscription], now.timeIntervalSince(last) < 15 * 60 { continue }
            do {
                let message = try EmailReport.make(
                    site: subscription.site, period: subscription.period, to: subscription.email, engine: engine,
                    now: milliseconds)
                try await SMTPClient(settings: smtp).send(message)
                try reports.markSent(subscription, first: first)
                failed[subscription] = nil
                logger.info(
                    "sent the \(subscription.period.rawValue)ly report of \(subscription.site) for \(first)",
                    metadata: ["to": "\(subscription.email)"])
            } catch {
                failed[subscription] = now
                logger.error(
                    "the \(subscription.period.rawValue)ly report of \(subscription.site) could not be sent; trying again in 15 minutes",
                    metadata: ["to": "\(subscription.email)", "error": "\(error)"])
            }
        }
    }
}
