import NIOCore

/// The network a client sends from, as fetches in flight are shared out: its /24 for IPv4 and
/// its /56 for IPv6, the blocks one site or one node's pods usually get, and those that resolver
/// rate limiting groups clients by (Knot Resolver's and Unbound's defaults). An IPv4 address
/// mapped into IPv6 (a dual-stack socket) counts as IPv4.
package struct ClientPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The kept bits, left-aligned: 24 of an IPv4 address, 56 of an IPv6 address.
    private var bits: UInt64
    private var isIPv6: Bool

    /// Questions that come from no client (the start-up loop probe) or from a Unix socket.
    package static let local = ClientPrefix(bits: .max, isIPv6: false)

    private init(bits: UInt64, isIPv6: Bool) {
        self.bits = bits
        self.isIPv6 = isIPv6
    }

    /// From an IPv4 address in host byte order.
    package init(ipv4 address: UInt32) {
        self.init(bits: UInt64(address & 0xFFFF_FF00) << 32, isIPv6: false)
    }

    /// From the 16 bytes of an IPv6 address.
    package init(ipv6 bytes: some Collection<UInt8>) {
        let octets = Array(bytes.prefix(16))
        guard octets.count == 16 else {
            self = .local
            return
        }
        if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xFF, octets[11] == 0xFF {
            self.init(ipv4: octets[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            return
        }
        let high = octets[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        self.init(bits: high & 0xFFFF_FFFF_FFFF_FF00, isIPv6: true)
    }

    /// From a socket address; nil and Unix sockets are `.local`.
    package init(_ address: SocketAddress?) {
        // By the sockaddr layouts (RFC 3493 §3.3: the IPv4 address at byte 4 of sockaddr_in,
        // the IPv6 address at byte 8 of sockaddr_in6), as the C structs' members are not visible here.
        switch address {
        case .v4(let v4):
            self = withUnsafeBytes(of: v4.address) { ClientPrefix(ipv4: $0[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) }
        case .v6(let v6):
            self = withUnsafeBytes(of: v6.address) { ClientPrefix(ipv6: $0[8..<24]) }
        default:
            self = .local
        }
    }

    package var description: String {
        if self == .local { return "local" }
        if !self.isIPv6 {
            let value = UInt32(self.bits >> 32)
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).0/24"
        }
        let groups = (0..<4).map { String((self.bits >> (48 - 16 * UInt64($0))) & 0xFFFF, radix: 16) }
        return groups.joined(separator: ":") + "::/56"
    }
}
