import Journal

/// Turns a tracker request into privacy-safe hits: validates it, drops bots, spam and unknown
/// sites, derives the country from the IP address and then forgets the address, classifies the
/// user agent and the traffic source, and computes the daily visitor id.
///
/// No input field reaches a ``Hit`` unreduced: the IP address only selects a country and keys the
/// visitor hash, the user agent only yields families and versions.
public final class IngestPipeline: Sendable {
    /// Which domains are registered.
    public let sites: any SiteRegistry
    /// Daily visitor ids.
    public let visitors: VisitorIdentifier
    /// Country lookup, if a database is configured (otherwise countries are unknown).
    public let geoip: MaxMindDatabase?
    /// User-agent classification (cached).
    public let userAgents: UserAgentClassifier
    /// Which forwarding headers to believe.
    public let addresses: ClientAddressResolver
    /// What happened to the events so far.
    public let counters = IngestCounters()

    /// A pipeline over these parts.
    public init(
        sites: any SiteRegistry, visitors: VisitorIdentifier, geoip: MaxMindDatabase? = nil,
        userAgents: UserAgentClassifier = UserAgentClassifier(),
        addresses: ClientAddressResolver = ClientAddressResolver()
    ) {
        self.sites = sites
        self.visitors = visitors
        self.geoip = geoip
        self.userAgents = userAgents
        self.addresses = addresses
    }

    /// The versions of the classifiers behind every hit, for the journal's segment headers.
    public var classifierVersions: [String: String] {
        var versions = ["ua-rules": UserAgentClassifier.version, "referrer-lists": "matomo-2026-11+infinity-3"]
        if let geoip { versions["geoip"] = geoip.metadata.version }
        return versions
    }

    /// The most sites one event's `d` may name.
    public static let maxDomains = 10

    /// Processes one event.
    public func process(_ event: IncomingEvent, context: RequestContext) -> IngestOutcome {
        let outcome = evaluate(event, context: context)
        counters.record(outcome)
        return outcome
    }

    private func evaluate(_ event: IncomingEvent, context: RequestContext) -> IngestOutcome {
        var errors = EventValidator.name(event.name)
        let page: PageURL
        switch PageURL.check(event.url, hashRouting: event.hashMode) {
        case .page(let parsed): page = parsed
        case .refused(let problem):
            errors.append(IngestError(.invalidField, problem.message, field: "u"))
            return .invalid(errors)
        }
        var (props, propErrors) = EventValidator.props(event.props)
        var (revenue, revenueErrors) = EventValidator.revenue(event.revenue)
        errors += propErrors + revenueErrors
        var interactive = event.interactive
        if event.name == Hit.engagement {
            // An engagement report keeps only its numbers (as two properties), and ends no bounce.
            let (engagement, engagementErrors) = EventValidator.engagement(event)
            errors += engagementErrors
            props = engagement
            revenue = nil
            interactive = false
        }
        // `d` may name several sites, comma-separated (as Plausible's does); each is stored once.
        let domainCount = event.domain.utf8.reduce(1) { $1 == 44 ? $0 + 1 : $0 }
        if domainCount > Self.maxDomains {
            errors.append(
                IngestError(
                    .invalidField, "name at most \(Self.maxDomains) sites, comma-separated (\(domainCount) were named)",
                    field: "d"))
        }
        if let width = event.screenWidth, width < 0 || width > 100_000 {
            errors.append(IngestError(.invalidField, "the screen width must be 0 to 100000", field: "w"))
        }
        guard errors.isEmpty else { return .invalid(errors) }

        let client = userAgents.classify(context.userAgent)
        switch client.kind {
        case .bot: return .dropped(.bot)
        case .app: return .dropped(.app)
        case .browser: break
        }
        let referrer = event.referrer.flatMap(PageURL.parseReferrer)
        if let referrer, SpamList.shared.contains(referrer.host) { return .dropped(.spam) }
        var registered: [Site]
        if !event.domain.utf8.contains(44), let site = sites.site(for: event.domain) {
            registered = [site]  // the common case: one domain, written as registered
        } else {
            var seen = Set<String>()
            registered = event.domain.split(separator: ",").compactMap { part -> Site? in
                var domain = part.trimmingSpaces.lowercased()
                if domain.hasPrefix("www.") { domain.removeFirst(4) }
                guard let site = sites.site(for: domain), seen.insert(site.domain).inserted else { return nil }
                return site
            }
        }
        guard !registered.isEmpty else { return .dropped(.unknownSite) }
        // The visitor asked not to be tracked: sites that honour it count nothing.
        if event.privacySignal || context.privacySignal {
            registered.removeAll { $0.honorsPrivacySignals }
            if registered.isEmpty { return .dropped(.visitorChoice) }
        }
        guard
            let address = addresses.resolve(
                peer: context.peerAddress, forwardedFor: context.forwardedFor, forwarded: context.forwarded)
        else { return .dropped(.invalidAddress) }
        let country = geoip?.country(of: address) ?? ""
        let traffic = TrafficSource.classify(
            referrer: referrer, pageHost: page.host, utm: page.utm, refParameter: page.ref)
        var hits: [Hit] = []
        for site in registered {
            let visitor: UInt64?
            do {
                visitor = try visitors.visitorID(
                    site: site, address: address, userAgent: context.userAgent, time: context.time)
            } catch {
                return .failed(
                    (error as? IngestError) ?? IngestError(.salts, "the visitor salt could not be saved: \(error)"))
            }
            guard let visitor else { return .dropped(.expiredDay) }
            hits.append(
                Hit(
                    timestamp: context.time, site: site.domain, name: event.name, hostname: page.host,
                    pathname: page.path,
                    referrer: traffic.referrer, source: traffic.source, channel: traffic.channel, utm: page.utm,
                    country: country, browser: client.browser, browserVersion: client.browserVersion, os: client.os,
                    osVersion: client.osVersion, device: client.device, screen: ScreenClass(width: event.screenWidth),
                    visitorID: visitor, props: props, revenue: revenue,
                    flags: interactive ? [] : .nonInteractive))
        }
        return .accepted(hits)
    }
}
