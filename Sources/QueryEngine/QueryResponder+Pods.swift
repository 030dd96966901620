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
        _ transport: Transport
    ) -> Int? {
        let firstLength = Int(name[0])
        guard firstLength > 0, firstLength + 1 < name.count else { return nil }
        let parent = UnsafeRawBufferPointer(rebasing: name[(firstLength + 1)...])
        // The parent must be `<ns>.pod.<zone>` of a namespace that exists: it has a shard.
        let namespaceLabel = UnsafeRawBufferPointer(rebasing: parent[0..<(Int(parent[0]) + 1)])
        guard snapshot.table.namespaceIndex.find(namespaceLabel) != nil else { return nil }
        let podZone = (snapshot.options.domain.prepending("pod") ?? .root).lowercased.wire
        let grandparentOffset = Int(parent[0]) + 1
        guard parent.count - grandparentOffset == podZone.count,
            podZone.withUnsafeBytes({ zone in
                guard let zoneBase = zone.baseAddress, let parentBase = parent.baseAddress else { return false }
                return memcmpEqual(parentBase + grandparentOffset, zoneBase, zone.count)
            })
        else { return nil }
        let label = String(decoding: name[1...firstLength], as: UTF8.self)
        let text = label.contains("--") || label.split(separator: "-").count > 4
            ? label.replacingDashes(with: ":") : label.replacingDashes(with: ".")
        guard let address = IPAddress(text) else { return nil }

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

extension String {
    fileprivate func replacingDashes(with separator: Character) -> String {
        String(self.map { $0 == "-" ? separator : $0 })
    }
}
