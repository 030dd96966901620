import CMMsg
import Forwarder
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Who sent a query, in the form its transport has it: a NIO address (TCP) or the
/// `sockaddr_storage` recvmmsg filled in. What the query path needs of it (its network for the
/// rate limit and fair forwarding shares, its family for metrics) is derived without allocating;
/// the `SocketAddress` is built only for the query log and the transfer policy.
package enum QueryClient: Sendable {
    case address(SocketAddress?)
    case storage(sockaddr_storage)

    var isIPv6: Bool {
        switch self {
        case .address(let address):
            if case .v6 = address { return true }
            return false
        case .storage(let storage):
            return storage.ss_family == sa_family_t(AF_INET6)
        }
    }

    /// The client's network for fair forwarding shares (a /24 or /56).
    var prefix: ClientPrefix {
        switch self {
        case .address(let address): ClientPrefix(address)
        case .storage(let storage): ClientPrefix(storage: storage)
        }
    }

    /// The client's network for the response rate limit.
    var rateLimitNetwork: UInt64 {
        switch self {
        case .address(let address): ResponseRateLimiter.network(of: address)
        case .storage(let storage): ResponseRateLimiter.network(of: storage)
        }
    }

    /// The address as NIO has it (allocates for `.storage`).
    var socketAddress: SocketAddress? {
        switch self {
        case .address(let address):
            return address
        case .storage(let storage):
            let family = Int32(storage.ss_family)
            return withUnsafeBytes(of: storage) { raw -> SocketAddress? in
                switch family {
                case AF_INET: return SocketAddress(raw.load(as: sockaddr_in.self), host: "")
                case AF_INET6: return SocketAddress(raw.load(as: sockaddr_in6.self), host: "")
                default: return nil
                }
            }
        }
    }
}
