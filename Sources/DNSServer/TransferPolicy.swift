import IPAddressing
import Manifests
import NIOCore

/// Who may transfer zones (AXFR/IXFR): the `--transfer-allow` blocks, nobody else. A transfer
/// hands over every name of every namespace, so, as NSD, Knot and CoreDNS do, it is refused
/// unless configured; loopback gets no exception (on a node, every local user is on loopback).
package struct TransferPolicy: Sendable, Hashable {
    package var allowed: [IPNetwork]

    package init(allowed: [IPNetwork] = []) {
        self.allowed = allowed
    }

    package func allows(_ peer: SocketAddress?) -> Bool {
        guard !self.allowed.isEmpty, let peer, let text = peer.ipAddress, var address = IPAddress(text) else { return false }
        // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d.
        if address.family == .ipv6, address.high == 0, address.low >> 32 == 0xFFFF {
            address = IPAddress(ipv4: UInt32(truncatingIfNeeded: address.low))
        }
        return self.allowed.contains { $0.contains(address) }
    }
}
