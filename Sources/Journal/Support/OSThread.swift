import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// OS threads of the server's own, for work that must not hold a thread of Swift's cooperative pool
/// or Dispatch's: the journal writer's fsyncs, the live fold, a rebuild's folds.
public enum OSThread {
    /// Starts an OS thread named `name` running `body`. The name is what `top -H` and `ps -L` show
    /// (Linux keeps at most 15 bytes of it); without one the thread would show its creator's name,
    /// often a Dispatch worker's. Throws when the system cannot start another thread.
    public static func start(named name: String, _ body: @escaping @Sendable () -> Void) throws(JournalError) {
        final class Box: @unchecked Sendable {  // handed to exactly one thread, never shared
            let name: String
            let body: @Sendable () -> Void
            init(_ name: String, _ body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        #if canImport(Darwin)
            var thread: pthread_t?
        #else
            var thread = pthread_t()
        #endif
        let result = pthread_create(
            &thread, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                // Named from inside, through `Thread.current`: Foundation on Linux passes a name
                // to the system only through a thread handle it holds, which `Thread.current`
                // has at once, while a `Thread { }` gets its own only when `start()` returns, so
                // a thread that named itself before that kept its creator's name.
                Thread.current.name = box.name
                box.body()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw JournalError(
                .io, "could not start the \(name) thread: \(String(cString: strerror(result)))",
                hint: "The system limits how many threads a process may start (ulimit -u, the service's TasksMax)")
        }
        #if canImport(Darwin)
            pthread_detach(thread!)
        #else
            pthread_detach(thread)
        #endif
    }
}
