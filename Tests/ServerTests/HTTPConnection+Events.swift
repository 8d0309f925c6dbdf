/// The tracker's page view, as the tests send it.
extension HTTPConnection {
    /// `POST /api/event`: a page view of `path` on `domain` from Chrome, forwarded for `address`
    /// (the server trusts 127.0.0.1 as its proxy in ``ServerProcess``) unless it is nil.
    func sendPageview(_ path: String, domain: String = "example.com", from address: String? = "81.2.69.142") throws
        -> Response
    {
        var headers = ["Content-Type": "application/json", "User-Agent": ServeEndToEndTests.chrome]
        headers["X-Forwarded-For"] = address
        return try request("POST", "/api/event", headers: headers, body: ServeEndToEndTests.event(path, domain: domain))
    }
}
