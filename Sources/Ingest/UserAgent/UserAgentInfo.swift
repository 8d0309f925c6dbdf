import Journal

/// What a user agent says about the client, reduced to what the dashboard shows.
public struct UserAgentInfo: Sendable, Hashable {
    /// Browser family (e.g. `Chrome`), or empty when unknown.
    public var browser: String
    /// Browser major version, or empty.
    public var browserVersion: String
    /// Operating system family (e.g. `Windows`), or empty when unknown.
    public var os: String
    /// Operating system version, or empty.
    public var osVersion: String
    /// Device class.
    public var device: DeviceClass
    /// Whether the client is a crawler, script, monitor or link previewer (its hits are dropped).
    public var isBot: Bool

    /// Creates a description.
    public init(
        browser: String = "", browserVersion: String = "", os: String = "", osVersion: String = "",
        device: DeviceClass = .unknown, isBot: Bool = false
    ) {
        self.browser = browser
        self.browserVersion = browserVersion
        self.os = os
        self.osVersion = osVersion
        self.device = device
        self.isBot = isBot
    }
}
