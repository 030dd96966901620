import DNSWire
import Manifests

/// Decides whether the records read from a zone file can be served as one zone, as an
/// authoritative server loading it would (NSD and Knot refuse the same files). Pure: records in,
/// the file's result out. An error fails the whole file, so a server keeps its last good version.
package enum ZoneFileValidator {
    /// The most record types one name may have. Real names have a handful; each type is one
    /// compiled answer, and a question for a type the name lacks looks through all of them.
    package static let maximumTypesPerName = 256

    package static func validate(_ records: [ZoneFileRecord], path: String) -> ManifestFile {
        func location(_ line: Int) -> SourceLocation { SourceLocation(file: path, line: line, column: 0) }
        func failed(_ line: Int, _ message: String) -> ManifestFile {
            ManifestFile(path: path, diagnostics: [.error(at: location(line), message)], failedToParse: true)
        }
        // RFC 1035 §5.2: a zone's file holds exactly one SOA, at its top.
        let soas = records.filter { $0.type == RRType.soa.rawValue }
        guard let soa = soas.first else { return failed(1, "no SOA record: a zone file starts with its zone's SOA") }
        if soas.count > 1 {
            return failed(soas[1].line, "a second SOA record: a zone has one, at its apex")
        }
        let apex = DomainName(uncheckedWire: soa.owner)
        var kept: [ZoneFileRecord] = []
        var warnings: [ManifestDiagnostic] = []
        var seen: Set<ZoneFileRecord.Identity> = []
        /// The records kept at each name, counted by type.
        var typesByOwner: [DomainName: [UInt16: Int]] = [:]
        var ttlBySet: [ZoneFileRecord.SetKey: (ttl: UInt32, line: Int)] = [:]
        for record in [soa] + records.filter({ $0.type != RRType.soa.rawValue }) {
            let owner = DomainName(uncheckedWire: record.owner)
            let type = RRType(rawValue: record.type)
            guard owner.isSubdomain(of: apex) else {
                return failed(record.line, "\(owner) is outside the zone \(apex)")
            }
            if owner.isWildcard, type == .soa || type == .ns {
                return failed(record.line, "\(type) at the wildcard \(owner) (RFC 4592 §4.2 and §4.3)")
            }
            if type == .ns, owner != apex {
                return failed(record.line, "NS records at \(owner) delegate it; delegations are not served, only the apex's NS")
            }
            if type == .dname {
                return failed(record.line, "DNAME is not served")
            }
            if [RRType.rrsig, .nsec, .nsec3, RRType(rawValue: 48), RRType(rawValue: 51)].contains(type) {
                return failed(record.line, "\(type) records are DNSSEC data; zones are served unsigned")
            }
            if let problem = Self.rdataProblem(record) {
                return failed(record.line, "\(owner) \(type): \(problem)")
            }
            // RFC 2181 §5: an RRset holds no duplicates.
            guard seen.insert(record.identity).inserted else { continue }
            // RFC 2181 §5.2: one TTL per RRset; a differing one is lowered to the smallest.
            var record = record
            if let first = ttlBySet[record.setKey] {
                if first.ttl != record.ttl {
                    warnings.append(
                        .warning(
                            at: location(record.line),
                            "TTL \(record.ttl) differs from \(first.ttl) on line \(first.line) in the same RRset; the smaller is served (RFC 2181 §5.2)"
                        ))
                    let smaller = min(first.ttl, record.ttl)
                    ttlBySet[record.setKey]?.ttl = smaller
                    record.ttl = smaller
                }
            } else {
                ttlBySet[record.setKey] = (record.ttl, record.line)
            }
            typesByOwner[owner, default: [:]][record.type, default: 0] += 1
            if typesByOwner[owner, default: [:]].count > Self.maximumTypesPerName {
                return failed(record.line, "\(owner) has more than \(Self.maximumTypesPerName) record types")
            }
            kept.append(record)
        }
        // RFC 1034 §3.6.2 and RFC 2181 §10.1: a CNAME owner has no other data, and one CNAME.
        for record in kept where record.type == RRType.cname.rawValue {
            let owner = DomainName(uncheckedWire: record.owner)
            let types = typesByOwner[owner] ?? [:]
            if types[RRType.cname.rawValue, default: 0] > 1 {
                return failed(record.line, "\(owner) has more than one CNAME")
            }
            if types.count > 1 {
                return failed(record.line, "\(owner) has a CNAME and other data (RFC 1034 §3.6.2)")
            }
        }
        // Every record's TTL agrees with its RRset's (lowered above for the later ones).
        kept = kept.map { record in
            var record = record
            record.ttl = ttlBySet[record.setKey]?.ttl ?? record.ttl
            return record
        }
        return ManifestFile(path: path, diagnostics: warnings, zone: ZoneFileContent(apex: apex.wire, records: kept))
    }

    /// Why a record's data cannot be served, if it cannot: libldns accepts some records without
    /// data, and a record must read back from the wire as every client reads it.
    static func rdataProblem(_ record: ZoneFileRecord) -> String? {
        let type = RRType(rawValue: record.type)
        if [RRType.a, .aaaa, .ns, .cname, .ptr, .txt, .srv, .soa, .mx].contains(type),
            RData(type: type, uncompressed: record.rdata) == nil
        {
            return "the record's data is malformed"
        }
        // One answer record in a message: what a resolver would parse.
        var message: [UInt8] = [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0] + record.owner
        message += [UInt8(record.type >> 8), UInt8(record.type & 0xFF), 0, 1, 0, 0, 0, 0]
        message += [UInt8(record.rdata.count >> 8), UInt8(record.rdata.count & 0xFF)] + record.rdata
        guard record.rdata.count <= 65535, (try? MessageParser.parse(message)) != nil else {
            return "the record's data is malformed"
        }
        return nil
    }
}
