import Forwarder

#if canImport(Glibc)
import Glibc
#endif

extension ClientPrefix {
    /// From the address recvmmsg filled in (`.local` for a family other than IPv4 and IPv6).
    init(storage: sockaddr_storage) {
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            self.init(ipv4: UInt32(bigEndian: address.sin_addr.s_addr))
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            self = withUnsafeBytes(of: address.sin6_addr) { ClientPrefix(ipv6: $0) }
        default:
            self = .local
        }
    }
}
