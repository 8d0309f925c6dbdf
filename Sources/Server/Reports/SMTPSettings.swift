import Foundation

/// Where e-mail goes: `smtp_url` in the config file. `smtp://host:port` speaks plain SMTP and
/// upgrades with STARTTLS when the server offers it; `smtps://host:465` starts with TLS;
/// `user:password@` logs in (only over TLS, unless `?insecure-auth` says the network is trusted);
/// `?ca=/path/ca.pem` trusts that certificate authority instead of the system's.
public struct SMTPSettings: Sendable, Hashable {
    /// The server's host name.
    public var host: String
    /// Its port.
    public var port: Int
    /// TLS from the first byte (`smtps`).
    public var implicitTLS: Bool
    /// User name and password, if the server wants a login.
    public var credentials: (user: String, password: String)?
    /// Log in without TLS (a relay on a trusted network).
    public var allowInsecureAuth: Bool
    /// A PEM file of certificate authorities to trust instead of the system's.
    public var certificateAuthority: String?
    /// The sender, `Name <address>` or an address (`mail_from` in the config file).
    public var from: String

    /// Whether two settings reach the same server as the same sender with the same login.
    public static func == (lhs: SMTPSettings, rhs: SMTPSettings) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.implicitTLS == rhs.implicitTLS
            && lhs.credentials?.user == rhs.credentials?.user && lhs.credentials?.password == rhs.credentials?.password
            && lhs.allowInsecureAuth == rhs.allowInsecureAuth && lhs.from == rhs.from
    }

    /// Hashes what ``==`` compares (the password aside).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(from)
    }

    /// Settings from `url` (`smtp://user:pass@mail.example.com:587`) and a sender.
    public init(url text: String, from: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, scheme == "smtp" || scheme == "smtps",
            let host = url.host, !host.isEmpty
        else {
            throw ServerError(
                "'\(text)' is not an SMTP address", code: "config",
                hint: "Write smtp_url like smtp://user:password@mail.example.com:587 (or smtps://… for port 465)")
        }
        guard from.contains("@") else {
            throw ServerError(
                "the sender '\(from)' is not an e-mail address", code: "config",
                hint: "Set mail_from, e.g. mail_from = \"Infinity Metrics <reports@example.com>\"")
        }
        self.host = host
        implicitTLS = scheme == "smtps"
        port = url.port ?? (implicitTLS ? 465 : 25)
        if let user = url.user?.removingPercentEncoding, let password = url.password?.removingPercentEncoding {
            credentials = (user, password)
        }
        allowInsecureAuth = url.queryItems?.contains { $0.name == "insecure-auth" } ?? false
        certificateAuthority = url.queryItems?.first { $0.name == "ca" }?.value
        self.from = from
    }

    /// The bare address of the sender (`reports@example.com` of `Name <reports@example.com>`).
    var fromAddress: String {
        guard let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close else { return from }
        return String(from[from.index(after: open)..<close])
    }
}
