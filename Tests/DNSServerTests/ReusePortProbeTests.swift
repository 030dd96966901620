import Testing

@testable import DNSServer

#if canImport(Glibc)
import Glibc
#endif

/// A server given port 0 must never join another server's SO_REUSEPORT group on the port its
/// TCP socket got: the kernel would spread its queries over both.
@Suite("UDP port probe for port 0")
struct ReusePortProbeTests {
    /// A UDP socket bound as our listeners bind theirs (SO_REUSEPORT), and its port.
    static func reusePortSocket() -> (descriptor: Int32, port: Int)? {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            return nil
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aPortHeldWithReusePortIsNotFreeAndIsOnceClosed() throws {
        let held = try #require(Self.reusePortSocket())
        let address = ListenAddress(host: "127.0.0.1", port: held.port)
        #expect(!MMsgUDPListener.isUnbound(address, v6only: false))
        close(held.descriptor)
        #expect(MMsgUDPListener.isUnbound(address, v6only: false))
    }
}
