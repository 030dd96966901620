import DNSWire

/// A zone served from a zone file: its apex, its records (the SOA first), and what its
/// negative answers carry.
package struct FileZone: Sendable {
    package var apex: DomainName
    /// The file it came from, for diagnostics and `explain`.
    package var path: String
    package var records: [ResourceRecord]
    /// The line each record is on, in the order of `records`.
    package var lines: [Int]

    /// The serial of the file's SOA.
    package var serial: UInt32 {
        guard case .soa(_, _, let serial, _, _, _, _) = self.records.first?.rdata else { return 0 }
        return serial
    }

    /// The SOA for negative answers: its TTL is the smaller of the SOA's own and its MINIMUM
    /// field (RFC 2308 §3), as NSD and Knot send it.
    package var negativeSOA: ResourceRecord? {
        guard let soa = self.records.first, case .soa(_, _, _, _, _, _, let minimum) = soa.rdata else { return nil }
        return ResourceRecord(soa.owner, ttl: min(soa.ttl, minimum), soa.rdata)
    }
}
