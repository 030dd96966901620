/// A port's protocol. TCP when a manifest says nothing, as the API server defaults it.
package enum PortProtocol: String, Sendable, Hashable, Comparable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    /// The SRV label form (RFC 2782 §1): `_tcp`, `_udp`, `_sctp` without the underscore.
    /// Literals: lower-casing the raw value made a string for every SRV name of every build.
    package var srvLabel: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .sctp: return "sctp"
        }
    }

    /// The label in SRV owner names (RFC 2782 §1): `_tcp`, `_udp`, `_sctp`.
    package var srvOwnerLabel: String {
        switch self {
        case .tcp: return "_tcp"
        case .udp: return "_udp"
        case .sctp: return "_sctp"
        }
    }

    package static func < (lhs: PortProtocol, rhs: PortProtocol) -> Bool { lhs.rawValue < rhs.rawValue }
}
