import Journal
import Testing

@testable import Ingest

@Suite("Page URLs")
struct PageURLTests {
    @Test(
        "the host is stored in lower case, without a leading www. or trailing dots, credentials or port",
        arguments: [
            ("https://WWW.Example.COM./Blog", "example.com", "/Blog"),
            ("https://www.example.com../", "example.com", "/"),
            ("http://user:secret@Shop.Example:8080/x?y=1", "shop.example", "/x"),
            ("https://www.", "www", "/"),
            ("HTTPS://WwW.wWw.example.com", "www.example.com", "/"),
            ("https://[::1]:3000/app", "[::1]", "/app"),
        ])
    func hosts(url: String, host: String, path: String) throws {
        let page = try #require(PageURL.parse(url, hashRouting: false))
        #expect(page.host == host)
        #expect(page.path == path)
    }

    @Test(
        "a host that is empty or holds characters no host name has is refused",
        arguments: [
            "https://./", "https://www.exa mple.com/", "https:///path", "https://exämple.com/", "ftp://example.com/",
        ]
    )
    func refusedHosts(url: String) {
        #expect(PageURL.parse(url, hashRouting: false) == nil)
    }

    @Test("campaign parameters are found in any case and decoded; other parameters are ignored")
    func campaignParameters() throws {
        let page = try #require(
            PageURL.parse(
                "https://example.com/?UTM_SOURCE=News&Utm_Medium=e%2Dmail&utm_campaign=spring+sale&utm_Content=%41"
                    + "&utm_term=100%&u=1&r=2&s=3&utm=4&utm_sourcex=5",
                hashRouting: false))
        #expect(page.utm == UTM(source: "News", medium: "e-mail", campaign: "spring sale", content: "A", term: "100%"))
        #expect(page.ref.isEmpty)
    }

    @Test("the first non-empty ref or source is kept; a later UTM parameter of the same name wins")
    func repeatedParameters() throws {
        let page = try #require(
            PageURL.parse(
                "https://example.com/?ref=&source=first&ref=second&utm_source=a&utm_source=b&utm_medium=x&utm_medium=",
                hashRouting: false))
        #expect(page.ref == "first")
        #expect(page.utm.source == "b")
        #expect(page.utm.medium == "x")
    }

    @Test("a parameter value over 300 bytes is not stored")
    func longValues() throws {
        let long = String(repeating: "x", count: 301)
        let page = try #require(
            PageURL.parse("https://example.com/?utm_term=\(long)&ref=\(long.dropLast())", hashRouting: false))
        #expect(page.utm.term.isEmpty)
        #expect(page.ref.utf8.count == 300)
    }
}
