/// A port's protocol. TCP when a manifest says nothing, as the API server defaults it.
package enum PortProtocol: String, Sendable, Hashable, Comparable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    /// The SRV label form (RFC 2782 §1): `_tcp`, `_udp`, `_sctp` without the underscore.
    package var srvLabel: String { self.rawValue.lowercased() }

    package static func < (lhs: PortProtocol, rhs: PortProtocol) -> Bool { lhs.rawValue < rhs.rawValue }
}
