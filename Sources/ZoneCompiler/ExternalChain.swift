import DNSWire

/// A CNAME chain of ours that leaves our zones (an ExternalName Service): its links, compiled
/// once with the answer, and the name outside where a resolver may continue it. A chase sends
/// the links followed by the target's records, without reading the compiled reply back.
package struct ExternalChain: Sendable, Hashable {
    package var target: DomainName
    package var links: PackedRRsets

    package init(target: DomainName, links: [ResourceRecord]) {
        self.target = target
        self.links = PackedRRsets(
            links.map { record in
                var rdata = WireWriter(compression: false)
                rdata.writeRData(record.rdata, lowercaseNames: false)
                return WireRecord(owner: record.owner, type: record.type, ttl: record.ttl, rdata: rdata.bytes)
            })
    }
}
