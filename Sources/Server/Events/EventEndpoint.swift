import Foundation
import HTTPTypes
import Ingest
import Journal
import Logging
import NIOCore

/// What `POST /api/event` does with one request, whichever way it arrived (``EventFastPath`` on the
/// event loop, or the router when a request had to wait its turn): validate, decode, run the ingest
/// pipeline, and say whether hits are to be stored or what to answer at once.
struct EventEndpoint: Sendable {
    let configuration: ServerConfiguration
    let pipeline: IngestPipeline
    let writer: JournalWriter
    let logger: Logger
    /// Where failures that repeat with every request are logged, at most once a minute.
    var failureLog = ThrottledLog()

    /// An answer: status, headers and body.
    struct Reply: Sendable {
        let status: HTTPResponse.Status
        /// The headers a handler adds to (the router adds the length itself).
        let headers: HTTPFields
        let body: ByteBuffer
        /// `headers` with the body's length and the server's name, as ``EventFastPath`` sends them:
        /// built with the reply, so that a shared reply costs no header work per request.
        let wireHeaders: HTTPFields
        /// The whole HTTP/1.1 answer as bytes, as ``EventWireHandler`` writes it to a connection
        /// that stays open: without and with the header that lets any site's pages read it.
        let encoded: ByteBuffer
        let encodedForBrowsers: ByteBuffer

        init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
            self.status = status
            self.headers = headers
            self.body = body
            var wire = headers
            wire[.contentLength] = "\(body.readableBytes)"
            wire[.server] = "infinity"
            wireHeaders = wire
            encoded = Self.encode(status: status, headers: wire, body: body)
            wire[.accessControlAllowOrigin] = "*"
            encodedForBrowsers = Self.encode(status: status, headers: wire, body: body)
        }
    }

    /// Either an answer now, or hits to append first (then ``accepted``).
    enum Decision: Sendable {
        case reply(Reply)
        case store([Hit])
    }

    /// Decides on a request with this `head`, whose body is `body` (nil: larger than the limit),
    /// from `peer`.
    func decide(head: HTTPRequest, body: [UInt8]?, peer: String) -> Decision {
        decide(headers: EventHeaders(head.headerFields), body: body, peer: peer)
    }

    /// Decides on a request with these `headers`, whose body is `body` (nil: larger than the
    /// limit), from `peer`.
    func decide(headers: EventHeaders, body: [UInt8]?, peer: String) -> Decision {
        let contentType = headers.contentType?.lowercased() ?? "application/json"
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("text/plain") else {
            return .reply(
                Self.errors(
                    .unsupportedMediaType,
                    [(nil, "send the event as application/json or text/plain, not \(contentType)")]))
        }
        guard let body else {
            return .reply(
                Self.errors(.contentTooLarge, [(nil, "the body is larger than \(configuration.maxBodySize) bytes")]))
        }
        switch EventPayload.decode(body) {
        case .failure(let problems): return .reply(Self.errors(.badRequest, problems.map { ($0.field, $0.message) }))
        case .event(let event): return decide(event, headers: headers, peer: peer)
        }
    }

    /// Runs an event through the pipeline.
    func decide(_ event: IncomingEvent, headers: EventHeaders, peer: String) -> Decision {
        let context = RequestContext(
            peerAddress: peer, forwardedFor: headers.forwardedFor, forwarded: headers.forwarded,
            userAgent: headers.userAgent ?? "", time: Int64(Date().timeIntervalSince1970 * 1000),
            privacySignal: headers.privacySignal)
        switch pipeline.process(event, context: context) {
        case .invalid(let errors): return .reply(Self.errors(.badRequest, errors.map { ($0.field, $0.message) }))
        case .dropped(let reason):
            return .reply(Self.droppedReplies[reason] ?? Self.accepted(dropped: 1, reason: reason.rawValue))
        case .failed(let error):
            failureLog.error("ingest failed", metadata: ["error": "\(error)"], to: logger)
            return .reply(error.code == .diskFull ? Self.diskFull : Self.notStored)
        case .accepted(let hits): return .store(hits)
        }
    }

    /// How storing an event's hits ended: all its answer depends on. This, not a ``Reply`` (six
    /// references to retain and release), goes from the writer's thread to the connection's loop.
    enum Stored: Sendable {
        case stored
        /// The journal's queue was full.
        case busy
        case diskFull
        case failed

        /// The answer it gives.
        var reply: Reply {
            switch self {
            case .stored: EventEndpoint.acceptedReply
            case .busy: EventEndpoint.busy
            case .diskFull: EventEndpoint.diskFull
            case .failed: EventEndpoint.notStored
            }
        }
    }

    /// How an append of `count` hits ended (or could not); counts them for `/metrics`.
    private static func stored(_ outcome: Result<Void, any Error>, count: Int, counters: IngestCounters) -> Stored {
        switch outcome {
        case .success:
            counters.recordStored(count)
            return .stored
        case .failure(let error as JournalError) where error.code == .overloaded:
            counters.recordStoreFailure()
            return .busy
        case .failure(let error as JournalError) where error.code == .diskFull:
            counters.recordStoreFailure()
            return .diskFull
        case .failure:
            // The journal writer logs why it failed, once; a line per request would flood the log.
            counters.recordStoreFailure()
            return .failed
        }
    }

    /// Appends `hits` as the acknowledgement mode says, then calls `done` (on the writer's thread
    /// when the answer waits for the block, on the caller's with buffered answers).
    func store(_ hits: [Hit], then done: @escaping @Sendable (Stored) -> Void) {
        // The callback captures what it uses, not this endpoint (a copy of it is a retain of each
        // of its references, once for every event).
        let counters = pipeline.counters
        let count = hits.count
        switch configuration.acknowledgement {
        case .durable, .written:
            writer.append(hits) { result in
                done(Self.stored(result.map { _ in () }.mapError { $0 }, count: count, counters: counters))
            }
        case .buffered:
            done(Self.stored(Result { _ = try writer.enqueue(hits) }, count: count, counters: counters))
        }
    }

    // Header names are parsed and validated once, not on every request.
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!
    static let globalPrivacyControl = HTTPField.Name("Sec-GPC")!
    static let doNotTrack = HTTPField.Name("DNT")!
    static let droppedHeader = HTTPField.Name("X-Infinity-Dropped")!
    static let dropReasonHeader = HTTPField.Name("X-Infinity-Drop-Reason")!

    /// The answer to a stored hit, built once: it is the answer to almost every request.
    static let acceptedReply = accepted(dropped: 0, reason: nil)

    /// The answer to a dropped hit, one per reason, built once: bots are a large share of traffic,
    /// and each answer carries its prepared wire bytes.
    static let droppedReplies = Dictionary(
        uniqueKeysWithValues: DropReason.allCases.map { ($0, accepted(dropped: 1, reason: $0.rawValue)) })

    /// The answer when the journal's queue is full.
    static let busy = errors(.serviceUnavailable, [(nil, "busy: retry shortly")], extra: [.retryAfter: "1"])

    /// The answer while the disk is full: the journal takes hits again by itself once there is space.
    static let diskFull = errors(
        .serviceUnavailable, [(nil, "the server's disk is full; the hit was not recorded (retry later)")],
        extra: [.retryAfter: "5"])

    static let notStored = errors(.internalServerError, [(nil, "the hit could not be stored; it was not recorded")])

    static func accepted(dropped: Int, reason: String?) -> Reply {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[droppedHeader] = "\(dropped)"
        if let reason { headers[dropReasonHeader] = reason }
        return Reply(status: .accepted, headers: headers, body: ByteBuffer(string: "ok"))
    }

    static func errors(
        _ status: HTTPResponse.Status, _ errors: [(String?, String)], extra: [HTTPField.Name: String] = [:]
    ) -> Reply {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        for (name, value) in extra { headers[name] = value }
        return Reply(status: status, headers: headers, body: ByteBuffer(string: json(errors: errors)))
    }

    static func json(errors: [(String?, String)]) -> String {
        let items = errors.map { field, message -> [String: String] in
            var item = ["message": message]
            if let field { item["field"] = field }
            return item
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["errors": items], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
