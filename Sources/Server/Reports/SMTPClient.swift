import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// Sends e-mail through an SMTP server (RFC 5321): EHLO, STARTTLS when the server offers it (or
/// TLS from the start with `smtps`), AUTH PLAIN when the settings carry a login (never over plain
/// text unless allowed), MAIL FROM, RCPT TO, DATA, QUIT. Each reply is awaited with a time limit,
/// and a refusal becomes an error that quotes the server.
public struct SMTPClient: Sendable {
    /// Where and as whom to send.
    public let settings: SMTPSettings
    /// How long one reply may take.
    public var timeout: TimeAmount = .seconds(30)
    private let group: any EventLoopGroup

    /// A client with `settings`.
    public init(settings: SMTPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.group = group
    }

    /// Sends `message`; returns once the server has accepted it for delivery.
    public func send(_ message: MailMessage) async throws {
        do {
            try await deliver(message)
        } catch let error as NIOSSLError {
            throw ServerError(
                "the TLS connection to the mail server failed: \(error)", code: "smtp",
                hint: "If the server's certificate is signed by your own authority, add ?ca=/path/to/ca.pem to smtp_url"
            )
        }
    }

    private func deliver(_ message: MailMessage) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let authority = settings.certificateAuthority { configuration.trustRoots = .file(authority) }
        let tls = try NIOSSLContext(configuration: configuration)
        let handler = SMTPReplyHandler()
        let settings = self.settings
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(15))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: settings.host))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(LineBasedFrameDecoder()), handler)
                }
            }
            .connect(host: settings.host, port: settings.port).get()
        defer { channel.close(promise: nil) }

        func reply() async throws -> SMTPReply {
            let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
            let limit = timeout
            let timer = channel.eventLoop.scheduleTask(in: limit) {
                promise.fail(
                    ServerError(
                        "the mail server did not answer within \(limit.nanoseconds / 1_000_000_000) s", code: "smtp"))
            }
            handler.expect(promise)
            defer { timer.cancel() }
            return try await promise.futureResult.get()
        }
        @discardableResult
        func command(_ line: String, expecting codes: Set<Int>, shown: String? = nil) async throws -> SMTPReply {
            do {
                try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n"))
            } catch {
                // The connection broke (a TLS handshake that failed, a server that hung up): the
                // reason the handler saw says more than the failed write.
                _ = try await reply()
                throw error
            }
            let answer = try await reply()
            guard codes.contains(answer.code) else {
                throw ServerError(
                    "the mail server refused \(shown ?? line): \(answer.code) \(answer.lines.joined(separator: " "))",
                    code: "smtp", hint: "Check smtp_url, mail_from and the recipient")
            }
            return answer
        }

        let greeting = try await reply()
        guard greeting.code == 220 else {
            throw ServerError(
                "the mail server is not ready: \(greeting.code) \(greeting.lines.joined(separator: " "))", code: "smtp")
        }
        var hello = try await command("EHLO infinity-metrics", expecting: [250])
        var secure = settings.implicitTLS
        if !secure && hello.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
            try await command("STARTTLS", expecting: [220])
            // The TLS handler goes first in the pipeline, made and added on the channel's loop.
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: tls, serverHostname: settings.host), position: .first)
            }.get()
            secure = true
            hello = try await command("EHLO infinity-metrics", expecting: [250])
        }
        if let credentials = settings.credentials {
            guard secure || settings.allowInsecureAuth else {
                throw ServerError(
                    "the mail server offers no TLS, so the password is not sent", code: "smtp",
                    hint: "Use a server with STARTTLS, smtps://, or add ?insecure-auth to smtp_url for a trusted relay")
            }
            let token = Data(("\0" + credentials.user + "\0" + credentials.password).utf8).base64EncodedString()
            try await command("AUTH PLAIN " + token, expecting: [235], shown: "the login")
        }
        try await command("MAIL FROM:<\(settings.fromAddress)>", expecting: [250])
        try await command("RCPT TO:<\(message.to)>", expecting: [250, 251])
        try await command("DATA", expecting: [354])
        try await command(message.rendered(from: settings.from) + ".", expecting: [250], shown: "the message")
        _ = try? await command("QUIT", expecting: [221])
    }
}
