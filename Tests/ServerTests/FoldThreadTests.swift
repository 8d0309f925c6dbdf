import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Server

@Suite("The projection service's rounds run on one thread of their own")
struct FoldThreadTests {
    @Test("jobs run one at a time, in the order submitted, all on the same named thread")
    func jobsShareOneThreadInOrder() throws {
        let thread = try FoldThread(name: "infinity-rollup")
        defer { thread.stop() }
        let seen = Mutex<[(index: Int, thread: pthread_t, name: String?, overlapping: Bool)]>([])
        let running = Mutex(false)
        let finished = DispatchSemaphore(value: 0)
        let count = 40
        for index in 0..<count {
            thread.submit {
                let overlapping = running.withLock { busy in
                    defer { busy = true }
                    return busy
                }
                // A little work, so that jobs on a pool would overlap.
                var sum = 0
                for value in 0..<20_000 { sum &+= value &* index }
                seen.withLock { $0.append((index, pthread_self(), Self.systemName(), overlapping || sum < 0)) }
                running.withLock { $0 = false }
                if index == count - 1 { finished.signal() }
            }
        }
        #expect(finished.wait(timeout: .now() + 60) == .success, "the last job never ran")
        let runs = seen.withLock { $0 }
        #expect(runs.map(\.index) == Array(0..<count))
        #expect(Set(runs.map { "\($0.thread)" }).count == 1)
        #expect(runs.allSatisfy { $0.thread != pthread_self() })
        #expect(runs.allSatisfy { $0.name == "infinity-rollup" }, "\(runs.map(\.name).prefix(2))")
        #expect(!runs.contains { $0.overlapping })
    }

    /// The calling thread's name as the system shows it (`top -H`): Linux's `/proc/thread-self/comm`.
    static func systemName() -> String? {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
