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
        // Address records already in order (a headless service's endpoints, as generated) are
        // only compared: keyed, sorted and unkeyed, each record was copied twice.
        if records.allSatisfy({ $0.rdata.address != nil }),
            records.indices.dropFirst().allSatisfy({ !Self.addressRecord(records[$0], precedes: records[$0 - 1]) })
        {
            return records
        }
        let keyed = records.map { ($0, $0.rdata.address == nil ? $0.rdata.canonicalWire : []) }
        func precedes(_ lhs: (ResourceRecord, [UInt8]), _ rhs: (ResourceRecord, [UInt8])) -> Bool {
            if lhs.0.owner != rhs.0.owner { return lhs.0.owner < rhs.0.owner }
            if lhs.0.type != rhs.0.type { return lhs.0.type < rhs.0.type }
            if let left = lhs.0.rdata.address, let right = rhs.0.rdata.address { return left < right }
            return lhs.1.lexicographicallyPrecedes(rhs.1)
        }
        if keyed.indices.dropFirst().allSatisfy({ !precedes(keyed[$0], keyed[$0 - 1]) }) { return records }
        return keyed.sorted(by: precedes).map(\.0)
    }

    /// The canonical order of two address records (`canonicallySorted`'s, without the keys).
    private static func addressRecord(_ lhs: ResourceRecord, precedes rhs: ResourceRecord) -> Bool {
        if lhs.owner != rhs.owner { return lhs.owner < rhs.owner }
        if lhs.type != rhs.type { return lhs.type < rhs.type }
        guard let left = lhs.rdata.address, let right = rhs.rdata.address else { return false }
        return left < right
    }
}
