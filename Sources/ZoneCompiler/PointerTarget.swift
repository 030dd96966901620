import DNSWire

/// What a PTR record points back to, and its place in the RRset. Several objects may claim one
/// address (a Service's cluster IP and another namespace's Endpoints, say); the RRset's order is
/// then the same whatever the order of files and rebuilds, and a Service's own cluster IP comes
/// first, since resolvers take the first PTR as the address's name.
package struct PointerTarget: Sendable, Hashable, Comparable {
    /// Why the address points at `name`: first the Service that owns it as a cluster IP, then
    /// endpoint names.
    package enum Rank: UInt8, Sendable, Hashable {
        case clusterIP = 0
        case endpoint = 1
    }

    package var name: DomainName
    package var rank: Rank

    package init(_ name: DomainName, rank: Rank) {
        self.name = name
        self.rank = rank
    }

    /// By rank, then in canonical name order (RFC 4034 §6.1).
    package static func < (lhs: PointerTarget, rhs: PointerTarget) -> Bool {
        if lhs.rank != rhs.rank { return lhs.rank.rawValue < rhs.rank.rawValue }
        return lhs.name < rhs.name
    }
}
