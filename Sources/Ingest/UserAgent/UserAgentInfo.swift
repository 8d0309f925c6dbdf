import Journal

/// What a user agent says about the client, reduced to what the dashboard shows.
public struct UserAgentInfo: Sendable, Hashable {
    /// What kind of client sent the request.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A person's web browser (or an app's web view): its hits count.
        case browser
        /// A crawler, HTTP library or script, uptime monitor, security scanner, feed reader,
        /// link-preview fetcher or headless browser: its hits are dropped.
        case bot
        /// An app's own HTTP client (`Dalvik/…`, `CFNetwork` without a browser): it cannot run the
        /// tracker, so such hits (from access logs) are dropped and counted apart from bots.
        case app
    }

    /// Browser family, one of ``UserAgentClassifier/browserNames`` (`Other` when unrecognised), or
    /// empty for bots and app clients.
    public var browser: String
    /// Browser major version, or empty.
    public var browserVersion: String
    /// Operating system family (e.g. `Windows`), or empty when unknown.
    public var os: String
    /// Operating system version, or empty.
    public var osVersion: String
    /// Device class.
    public var device: DeviceClass
    /// Browser, bot or app client.
    public var kind: Kind

    /// Whether the client is automated (its hits are dropped as bots).
    public var isBot: Bool { kind == .bot }

    /// Creates a description.
    public init(
        browser: String = "", browserVersion: String = "", os: String = "", osVersion: String = "",
        device: DeviceClass = .unknown, kind: Kind = .browser
    ) {
        self.browser = browser
        self.browserVersion = browserVersion
        self.os = os
        self.osVersion = osVersion
        self.device = device
        self.kind = kind
    }
}
