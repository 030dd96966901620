import DNSWire

/// Keeps, of an upstream's reply, only what answers the question asked: the records on the
/// CNAME/DNAME chain from the question's name, and for a negative answer the SOA of the zone that
/// denies the last name of that chain. Everything else is dropped, as Unbound's scrubber and Knot
/// Resolver do: a reply for `ext.test A` that also carries
/// `service-clusterip.dev.svc.cluster.local A 6.6.6.6` is an attempt to plant data for a name
/// nobody asked about (RFC 2181 §5.4.1 ranks such records lowest, fit for nothing but to find
/// the next server; a forwarder has no next server to find, so it keeps none of them).
///
/// - Answer records must be owned by a name on the chain, of the class asked, and of the type
///   asked (any type for ANY), or the CNAME (RFC 1034 §3.6.2) or DNAME (RFC 6672 §2.2) that
///   moves the chain on. RRSIGs on the chain are kept for a DO query (RFC 4035 §3.2.1).
/// - The chain is at most `maximumChainLength` links and never visits a name twice.
/// - Names inside our own zones (`isLocal`) are ours to answer: the chain stops at them, and no
///   upstream record for them is kept.
/// - Authority: for NXDOMAIN or NODATA only (RFC 2308 §2), one SOA owned by the last name or an
///   ancestor of it, plus, for a DO query, the NSEC, NSEC3 and RRSIG records under that SOA's
///   owner that prove the denial (RFC 4035 §3.1.3). NS records, glue and the whole additional
///   section go.
package enum RelevanceFilter {
    /// Links followed at most: Unbound stops at 11 restarts, BIND at 16 (`max-query-restarts`).
    package static let maximumChainLength = 16

    /// The records kept, in reply order, and how many were dropped.
    package struct Selection: Sendable, Equatable {
        /// The reply's RCODE, except that an NXDOMAIN about a name in our zones, reached through
        /// the chain, becomes NOERROR: the chain is cut there, and the upstream is no judge of
        /// whether our names exist (RFC 6604 §2: the RCODE speaks of the chain's last name).
        package var rcode: UInt16
        package var answer: [WireRecord]
        package var authority: [WireRecord]
        package var dropped: Int
    }

    package static func select(
        _ message: ParsedMessage, for question: ForwardQuestion, isLocal: (DomainName) -> Bool = { _ in false }
    ) -> Selection {
        var kept = Set<Int>()
        var name = question.name
        var answered = false
        var reachedLocal = false
        var visited: Set<DomainName> = [name]
        let answer = message.answer
        let type = question.type
        func inClass(_ record: WireRecord) -> Bool { record.rrclass == question.qclass }
        func wanted(_ record: WireRecord) -> Bool {
            type == .any || record.type == type || (question.dnssecOK && Self.signature(record, covers: type))
        }

        chain: for _ in 0..<Self.maximumChainLength {
            guard !isLocal(name) else {
                reachedLocal = true
                break
            }
            var cname: Int?
            var hasData = false
            for (index, record) in answer.enumerated() where inClass(record) && record.owner == name {
                if wanted(record) {
                    kept.insert(index)
                    if record.type != .rrsig { hasData = true }
                }
                if record.type == .cname, cname == nil { cname = index }
            }
            // The chain ends where the data is, and at the alias itself when it is what was asked.
            if hasData || type == .cname || type == .any {
                answered = hasData
                break
            }
            if type != .dname, let (dname, next) = Self.dname(covering: name, in: answer, inClass: inClass) {
                guard !isLocal(answer[dname].owner) else {
                    reachedLocal = true
                    break
                }
                kept.insert(dname)
                Self.keepSignatures(of: answer[dname].owner, .dname, in: answer, question: question, into: &kept)
                // The CNAME the upstream synthesized from it (RFC 6672 §3.1), when it agrees.
                if let cname, Self.name(in: answer[cname].rdata) == next {
                    kept.insert(cname)
                    Self.keepSignatures(of: name, .cname, in: answer, question: question, into: &kept)
                }
                name = next
            } else if let cname, let target = Self.name(in: answer[cname].rdata) {
                kept.insert(cname)
                Self.keepSignatures(of: name, .cname, in: answer, question: question, into: &kept)
                name = target
            } else {
                break
            }
            guard visited.insert(name).inserted else { break chain }
        }

        let answerKept = answer.indices.filter { kept.contains($0) }.map { answer[$0] }
        let rcode = reachedLocal && message.rcode == 3 ? 0 : message.rcode
        let negative = !reachedLocal && (rcode == 3 || (rcode == 0 && !answered))
        var authorityKept: [WireRecord] = []
        if negative,
            let soa = message.authority.first(where: {
                $0.type == .soa && inClass($0) && name.isSubdomain(of: $0.owner) && !isLocal($0.owner)
            })
        {
            authorityKept.append(soa)
            if question.dnssecOK {
                authorityKept += message.authority.filter { record in
                    [RRType.nsec, .nsec3, .rrsig].contains(record.type) && inClass(record) && record.owner.isSubdomain(of: soa.owner)
                }
            }
        }
        let dropped = message.answer.count + message.authority.count + message.additional.count - answerKept.count
            - authorityKept.count
        return Selection(rcode: rcode, answer: answerKept, authority: authorityKept, dropped: dropped)
    }

    /// A DNAME owned by a proper ancestor of `name`, and the name it rewrites `name` to; nil
    /// when there is none or the result would be over 255 octets (RFC 6672 §2.2: YXDOMAIN).
    private static func dname(
        covering name: DomainName, in records: [WireRecord], inClass: (WireRecord) -> Bool
    ) -> (Int, DomainName)? {
        for (index, record) in records.enumerated()
        where record.type == .dname && inClass(record) && record.owner != name && name.isSubdomain(of: record.owner) {
            guard let target = Self.name(in: record.rdata) else { continue }
            let prefix = name.wire.prefix(name.wire.count - record.owner.wire.count)
            let rewritten = Array(prefix) + target.wire
            guard rewritten.count <= 255 else { return nil }
            return (index, DomainName(uncheckedWire: rewritten))
        }
        return nil
    }

    private static func keepSignatures(
        of owner: DomainName, _ type: RRType, in records: [WireRecord], question: ForwardQuestion, into kept: inout Set<Int>
    ) {
        guard question.dnssecOK else { return }
        for (index, record) in records.enumerated() where record.owner == owner && Self.signature(record, covers: type) {
            kept.insert(index)
        }
    }

    /// Whether `record` is an RRSIG over `type` (its first field, RFC 4034 §3.1.1).
    private static func signature(_ record: WireRecord, covers type: RRType) -> Bool {
        record.type == .rrsig && record.rdata.count >= 2 && UInt16(record.rdata[0]) << 8 | UInt16(record.rdata[1]) == type.rawValue
    }

    /// The rdata as one whole uncompressed name (CNAME, DNAME), or nil when it is not one.
    package static func name(in rdata: [UInt8]) -> DomainName? {
        let parsed: (DomainName, Int)? = rdata.withUnsafeBytes { bytes in try? MessageParser.readName(bytes, at: 0) }
        guard let (name, end) = parsed, end == rdata.count else { return nil }
        return name
    }
}
