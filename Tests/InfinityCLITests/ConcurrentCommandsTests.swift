import Foundation
import Synchronization
import Testing

/// Administrative commands run at the same time (a provisioning script that starts them in
/// parallel, two operators at once) each keep what the others did.
@Suite("CLI commands that change the same registry file at once")
struct ConcurrentCommandsTests {
    /// Runs every command of `commands` at once, each in its own process; their outputs.
    static func together(_ commands: [[String]]) -> [CLI.Output?] {
        let outputs = Mutex([CLI.Output?](repeating: nil, count: commands.count))
        let group = DispatchGroup()
        for (index, arguments) in commands.enumerated() {
            DispatchQueue.global().async(group: group) {
                let output = try? CLI.run(arguments)
                outputs.withLock { $0[index] = output }
            }
        }
        group.wait()
        return outputs.withLock { $0 }
    }

    @Test("sites added by eight commands at once are all registered")
    func sitesAddedAtOnce() throws {
        let data = TemporaryDirectory()
        let domains = (1...8).map { "site\($0).example" }
        let outputs = Self.together(domains.map { ["sites", "add", $0, "--data", data.path] })
        #expect(outputs.allSatisfy { $0?.status == 0 }, "\(outputs.map { $0?.stderr ?? "did not run" })")
        let listed = try CLI.run(["sites", "list", "--data", data.path])
        for domain in domains {
            #expect(listed.stdout.contains(domain), "\(domain) is missing: \(listed.stdout)")
        }
    }

    @Test("every key printed by eight `keys create` at once is stored and listed")
    func keysCreatedAtOnce() throws {
        let data = TemporaryDirectory()
        let outputs = Self.together((1...8).map { ["keys", "create", "key \($0)", "--data", data.path] })
        #expect(outputs.allSatisfy { $0?.status == 0 }, "\(outputs.map { $0?.stderr ?? "did not run" })")
        let stored =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: data.path + "/keys.json"))) as? [[String: Any]]
        #expect(Set(stored?.compactMap { $0["name"] as? String } ?? []) == Set((1...8).map { "key \($0)" }))
        let listed = try CLI.run(["keys", "list", "--data", data.path])
        for index in 1...8 {
            #expect(listed.stdout.contains("key \(index)"), "\(listed.stdout)")
        }
    }
}
