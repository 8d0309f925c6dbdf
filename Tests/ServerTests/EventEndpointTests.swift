import Foundation
import HTTPTypes
import InfinityTestSupport
import Journal
import Logging
import Synchronization
import Testing

@testable import Ingest
@testable import Server

/// What `POST /api/event` answers when the journal cannot take more, in both acknowledgement modes.
@Suite("Event endpoint under a full journal queue")
struct EventEndpointTests {
    static let chrome =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

    @Test(
        "a full queue answers 503 with Retry-After, and what was queued before is stored",
        arguments: ServerConfiguration.Acknowledgement.allCases)
    func fullQueueAnswersBusy(_ acknowledgement: ServerConfiguration.Acknowledgement) throws {
        let directory = TemporaryDirectory()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        // One record fills the queue; the writer lingers 10 s before writing it.
        let writer = try JournalWriter(
            configuration: JournalConfiguration(
                directory: directory.journal, commit: CommitPolicy(maxDelay: .seconds(10)), queueCapacity: 1),
            logger: logger)
        let endpoint = EventEndpoint(
            configuration: ServerConfiguration(acknowledgement: acknowledgement),
            pipeline: IngestPipeline(
                sites: StaticSiteRegistry([Site(domain: "example.com")]),
                visitors: VisitorIdentifier(salts: EphemeralSalts())),
            writer: writer, logger: logger)
        let head = HTTPRequest(
            method: .post, scheme: "http", authority: "127.0.0.1", path: "/api/event",
            headerFields: [.userAgent: Self.chrome, .contentType: "application/json"])
        let body = Array(#"{"n":"pageview","u":"https://example.com/a","d":"example.com"}"#.utf8)
        guard case .store(let hits) = endpoint.decide(head: head, body: body, peer: "81.2.69.142") else {
            Issue.record("the event was not accepted by the pipeline")
            return
        }
        try writer.enqueue(hits)

        let answered = DispatchSemaphore(value: 0)
        let reply = Mutex<EventEndpoint.Reply?>(nil)
        endpoint.store(hits) { stored in
            reply.withLock { $0 = stored.reply }
            answered.signal()
        }
        #expect(answered.wait(timeout: .now() + 5) == .success, "a refused hit is answered at once")
        let busy = try #require(reply.withLock { $0 })
        #expect(busy.status == .serviceUnavailable)
        #expect(busy.headers[.retryAfter] == "1")
        #expect(busy.wireHeaders[.retryAfter] == "1" && busy.wireHeaders[.contentLength] != nil)
        #expect(String(buffer: busy.body).contains("retry"))
        try writer.closeBlocking()
        #expect(try JournalStats(directory: JournalDirectory(path: directory.journal)).records == 1)
    }
}
