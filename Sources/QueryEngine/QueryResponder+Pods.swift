import DNSWire
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
                in: name, labelStarts: labelStarts, apexLength: snapshot.table.zones[0].apex.count),
            isPod, range.lowerBound == firstLength + 1,
            snapshot.table.namespaceIndex.find(UnsafeRawBufferPointer(rebasing: name[range])) != nil,
            let address = ClusterNames.podAddress(dashed: name[1...firstLength])
        else { return nil }

        let wantedType: UInt16 = address.family == .ipv4 ? RRType.a.rawValue : RRType.aaaa.rawValue
        if parsed.qtype == wantedType || parsed.qtype == RRType.any.rawValue {
            var length = Self.writeHeaderAndQuestion(
                parsed, query, output, rcode: .noError, authoritative: true, settings)
            let rdata = address.bytes
            Self.store16(0xC00C, output, length)
            Self.store16(wantedType, output, length + 2)
            Self.store16(1, output, length + 4)
            Self.store16(UInt16(snapshot.options.ttl >> 16), output, length + 6)
            Self.store16(UInt16(truncatingIfNeeded: snapshot.options.ttl), output, length + 8)
            Self.store16(UInt16(rdata.count), output, length + 10)
            for (index, byte) in rdata.enumerated() { output[length + 12 + index] = byte }
            length += 12 + rdata.count
            Self.store16(1, output, 6)
            if parsed.edns != nil {
                length = Self.appendOPT(parsed, output, at: length, rcode: .noError, settings, transport: transport)
            }
            return length
        }
        // The name exists, with no data of this type: NODATA with the zone's SOA.
        return Self.writeBlob(snapshot.table.zones[0].noData, snapshot.table, parsed, query, transport, settings, output)
    }
}
