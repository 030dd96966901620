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
        // A set already in order (as generated: a headless service's addresses, its SRV records)
        // is only compared; keyed, sorted and unkeyed, each record was copied twice. Address
        // records need no keys.
        if records.allSatisfy({ $0.rdata.address != nil }) {
            if records.indices.dropFirst().allSatisfy({ !Self.precedes(records[$0], [], records[$0 - 1], []) }) { return records }
        }
        let keyed = records.map { ($0, $0.rdata.address == nil ? $0.rdata.canonicalWire : []) }
        if keyed.indices.dropFirst().allSatisfy({ !Self.precedes(keyed[$0].0, keyed[$0].1, keyed[$0 - 1].0, keyed[$0 - 1].1) }) {
            return records
        }
        return keyed.sorted { Self.precedes($0.0, $0.1, $1.0, $1.1) }.map(\.0)
    }

    /// The canonical order of two records, given their canonical rdata (unused, and may be
    /// empty, for address records).
    private static func precedes(_ lhs: ResourceRecord, _ lhsKey: [UInt8], _ rhs: ResourceRecord, _ rhsKey: [UInt8]) -> Bool {
        if lhs.owner != rhs.owner { return lhs.owner < rhs.owner }
        if lhs.type != rhs.type { return lhs.type < rhs.type }
        if let left = lhs.rdata.address, let right = rhs.rdata.address { return left < right }
        return lhsKey.lexicographicallyPrecedes(rhsKey)
    }
}
