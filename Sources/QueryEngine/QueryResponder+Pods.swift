import DNSWire
import IPAddressing
import Manifests
import ZoneCompiler

extension QueryResponder {
    /// `--pods insecure` (spec 2.6, kube-dns compatibility): `<a-b-c-d>.<ns>.pod.<zone>` answers
    /// the dashed address for any existing namespace, whether or not such a pod exists.
    /// nil when the name is not of that form (the caller answers NXDOMAIN).
    static func insecurePodAnswer(
        _ parsed: ParsedQuery, _ query: UnsafeRawBufferPointer, _ snapshot: RecordSnapshot,
        _ settings: ResponderSettings, _ output: UnsafeMutableRawBufferPointer, _ name: UnsafeRawBufferPointer,
        _ labelStarts: UnsafeBufferPointer<UInt8>, _ transport: Transport
    ) -> Int? {
        // `<a-b-c-d>.<ns>.pod.<zone>` exactly, of a namespace that exists (it has a shard).
        let firstLength = Int(name[0])
        guard firstLength > 0, labelStarts.count == snapshot.table.zones[0].name.labelCount + 3,
            let (range, isPod) = ClusterNames.namespaceLabel(
                in: name, labelStarts: labelStarts, apexLength: snapshot.table.zones[0].apexLength),
            isPod, range.lowerBound == firstLength + 1,
            snapshot.table.namespaceIndex.find(UnsafeRawBufferPointer(rebasing: name[range])) != nil,
            let address = ClusterNames.podAddress(dashed: name[1...firstLength])
        else { return nil }

        let wantedType: UInt16 = address.family == .ipv4 ? RRType.a.rawValue : RRType.aaaa.rawValue
        guard parsed.qtype == wantedType || parsed.qtype == RRType.any.rawValue else {
            // The name exists, with no data of this type: NODATA with the zone's SOA.
            return Self.writeBlob(snapshot.table.zones[0].noData, snapshot.table, parsed, query, transport, settings, output)
        }
        var reply = Self.start(parsed, query, output, rcode: .noError, authoritative: true, settings)
        reply.appendAnswer(type: wantedType, ttl: snapshot.options.ttl, rdata: address.bytes)
        if parsed.edns != nil { reply.appendOPT(Self.opt(parsed.edns, rcode: .noError, settings, transport)) }
        return reply.finish()
    }
}
