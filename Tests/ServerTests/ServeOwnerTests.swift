import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sudo infinity serve` on the service user's data folder must not leave files the service
/// cannot use when it runs as itself again.
@Suite("serve started as root on another user's data folder")
struct ServeOwnerTests {
    @Test(
        "serve started as root on another user's folder is refused with `sudo -u OWNER`, before it writes anything",
        .enabled(if: geteuid() == 0, "only root can give a folder to another user and start serve as root")
    )
    func serveIsRefused() throws {
        let data = ServerProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(chown(data, 65_534, 65_534) == 0)
        let run = try ServerProcess.invoke(["serve", "--data", data, "--listen", "127.0.0.1:0", "--geoip", "none"])
        #expect(run.status != 0)
        let owner = try #require(getpwuid(65_534)).pointee.pw_name.map { String(cString: $0) } ?? ""
        #expect(run.output.contains("sudo -u \(owner) infinity serve --data \(data)"), "\(run.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == [], "serve wrote before it refused")
    }
}
