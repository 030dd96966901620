import Manifests
import NIOCore

/// Who may transfer zones (AXFR/IXFR): loopback clients, and the `--transfer-allow` blocks.
package struct TransferPolicy: Sendable, Hashable {
    package var allowed: [IPNetwork]

    package init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    package func allows(_ peer: SocketAddress?) -> Bool {
        guard let peer, let text = peer.ipAddress, let address = IPAddress(text) else { return false }
        if address.family == .ipv4, address.ipv4Value >> 24 == 127 { return true }
        if address.family == .ipv6, address.high == 0, address.low == 1 { return true }
        // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d.
        if address.family == .ipv6, address.high == 0, address.low >> 32 == 0xFFFF {
            let mapped = IPAddress(ipv4: UInt32(truncatingIfNeeded: address.low))
            if mapped.ipv4Value >> 24 == 127 { return true }
            return self.allowed.contains { $0.contains(mapped) }
        }
        return self.allowed.contains { $0.contains(address) }
    }
}
