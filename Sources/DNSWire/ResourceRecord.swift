/// A resource record of class IN: owner, TTL and data.
package struct ResourceRecord: Sendable, Hashable, CustomStringConvertible {
    package var owner: DomainName
    package var ttl: UInt32
    package var rdata: RData

    package init(_ owner: DomainName, ttl: UInt32, _ rdata: RData) {
        self.owner = owner
        self.ttl = ttl
        self.rdata = rdata
    }

    package var type: RRType { self.rdata.type }

    /// One zone-file line: `owner<TAB>ttl<TAB>IN<TAB>TYPE<TAB>rdata`.
    package var description: String {
        "\(self.owner)\t\(self.ttl)\tIN\t\(self.type)\t\(self.rdata.presentation)"
    }

    /// Canonical record order within a zone (RFC 4034 §6.1-6.3): owner, then type, then rdata.
    package static func canonicalOrder(_ lhs: ResourceRecord, _ rhs: ResourceRecord) -> Bool {
        if lhs.owner != rhs.owner { return lhs.owner < rhs.owner }
        if lhs.type != rhs.type { return lhs.type < rhs.type }
        return lhs.rdata.canonicalWire.lexicographicallyPrecedes(rhs.rdata.canonicalWire)
    }
}
