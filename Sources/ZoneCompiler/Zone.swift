import DNSWire
import IPAddressing

/// One zone of the snapshot: its apex, its records, and the names that exist without records
/// of their own beyond those implied by the records' owners.
package struct Zone: Sendable {
    package var apex: DomainName
    package var records: [ResourceRecord]
    /// Names that exist though they own nothing and nothing is below them in `records`
    /// (`<ns>.svc.<zone>` of a namespace with no services). Ancestors of owners are implied.
    package var emptyNames: [DomainName]

    package init(apex: DomainName, records: [ResourceRecord] = [], emptyNames: [DomainName] = []) {
        self.apex = apex
        self.records = records
        self.emptyNames = emptyNames
    }

    /// The records in zone-file order: the SOA first, then canonical order (RFC 4034 §6).
    package var sortedRecords: [ResourceRecord] {
        let soa = self.records.filter { $0.type == .soa && $0.owner == self.apex }
        let rest = self.records.filter { !($0.type == .soa && $0.owner == self.apex) }
        return soa + Self.canonicallySorted(rest)
    }

    /// Sorts with each record's canonical rdata computed once. Addresses compare as numbers,
    /// which is the order of their octets, without forming them.
    static func canonicallySorted(_ records: [ResourceRecord]) -> [ResourceRecord] {
        guard records.count > 1 else { return records }
        let keyed = records.map { ($0, $0.rdata.address == nil ? $0.rdata.canonicalWire : []) }
        return keyed.sorted { lhs, rhs in
            if lhs.0.owner != rhs.0.owner { return lhs.0.owner < rhs.0.owner }
            if lhs.0.type != rhs.0.type { return lhs.0.type < rhs.0.type }
            if let left = lhs.0.rdata.address, let right = rhs.0.rdata.address { return left < right }
            return lhs.1.lexicographicallyPrecedes(rhs.1)
        }.map(\.0)
    }
}
