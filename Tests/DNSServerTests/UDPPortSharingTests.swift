import Testing

@testable import DNSServer

#if canImport(Glibc)
import Glibc
#endif

/// The UDP port a server listens on is not shared with a socket that asks for it with
/// SO_REUSEADDR, on the server's address or on the wildcard: that flag has no same-user rule,
/// so a socket of any user would get datagrams meant for the server.
@Suite("UDP listeners: the port is not shared with SO_REUSEADDR sockets")
struct UDPPortSharingTests {
    /// Binds a fresh UDP socket with SO_REUSEADDR to `host`:`port`; the errno on failure, 0 on success.
    static func bindSharing(host: String, port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0 ? 0 : errno
    }

    @Test(arguments: ["127.0.0.1", "0.0.0.0"])
    func anotherSocketCannotBindTheListenersPort(host: String) throws {
        // A port the kernel hands out, then bound by a listener with two workers (two sockets).
        var listener: MMsgUDPListener?
        for _ in 0..<10 where listener == nil {
            guard let (descriptor, port) = ReusePortProbeTests.reusePortSocket() else { continue }
            close(descriptor)
            listener = try? MMsgUDPListener.bind(ListenAddress(host: "127.0.0.1", port: port), workers: 2, v6only: false)
        }
        let bound = try #require(listener)
        defer { bound.closeSockets() }
        #expect(Self.bindSharing(host: host, port: bound.address.port) == EADDRINUSE)
    }
}
