import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether `serve` can listen where it was told to, checked before it does any work (rebuilding
/// rollups, creating the data folder), so that a port in use is one clear line at once.
enum ListenCheck {
    /// Throws a ``CommandFailure`` naming the address when it cannot be bound.
    static func ensureAvailable(host: String, port: Int) throws {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw CommandFailure("cannot listen on \(host):\(port): '\(host)' is not an address of this machine")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }  // let the server report it
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            switch errno {
            case EADDRINUSE:
                throw CommandFailure(
                    "\(shown) is already in use (another infinity serve?); stop it, or choose another port with --listen"
                )
            case EACCES:
                throw CommandFailure(
                    "\(shown) needs privileges to listen on (ports below 1024); choose a port of 1024 or more with --listen, behind a reverse proxy"
                )
            case EADDRNOTAVAIL:
                throw CommandFailure("cannot listen on \(shown): \(host) is not an address of this machine")
            default:
                throw CommandFailure("cannot listen on \(shown): \(String(cString: strerror(errno)))")
            }
        }
    }
}
