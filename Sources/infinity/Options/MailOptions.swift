import ArgumentParser
import Foundation
import Server

/// How e-mail leaves: `--smtp-url` and `--mail-from`, else `INFINITY_SMTP_URL` and
/// `INFINITY_MAIL_FROM`, else `smtp_url` and `mail_from` in the config file.
struct MailOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The SMTP server for e-mail reports: smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://… (TLS). Example: --smtp-url smtp://mail.example.com:587",
            valueName: "url"))
    var smtpUrl: String?

    @Option(
        help: ArgumentHelp(
            "The sender of e-mail reports. Example: --mail-from 'Infinity Metrics <reports@example.com>'",
            valueName: "address"))
    var mailFrom: String?

    /// The settings, or nil when no SMTP server is named anywhere.
    func settings(file: ConfigFile?) throws -> SMTPSettings? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = try smtpUrl ?? environment["INFINITY_SMTP_URL"] ?? file?.text("smtp_url") else { return nil }
        let from = try mailFrom ?? environment["INFINITY_MAIL_FROM"] ?? file?.text("mail_from") ?? "infinity@localhost"
        do {
            return try SMTPSettings(url: url, from: from)
        } catch let error as ServerError {
            throw CommandFailure(error.description)
        }
    }
}
