import DNSWire

/// The server's side of a pod's search list, as CoreDNS's autopath walks it. A pod in namespace
/// `ns` has `search ns.svc.<zone> svc.<zone> <zone>` and `ndots:5`, so its resolver asks for
/// `X.ns.svc.<zone>` first for almost any name X. When that name does not exist, the server can
/// walk the rest of the list itself — `X.svc.<zone>`, `X.<zone>`, then `X` — and answer with the
/// first that exists behind a CNAME, saving the client a round trip per step. Pure: names only.
package enum AutopathSearch {
    /// For `name` = `X.<ns>.svc.<zone>` (X at least one label): the namespace, and the rest of the
    /// search list in order, in lower case. nil for any other name.
    package static func remainingSearch(for name: DomainName, zone: DomainName) -> (namespace: String, names: [DomainName])? {
        let name = name.lowercased
        let zone = zone.lowercased
        guard name.isSubdomain(of: zone) else { return nil }
        let labels = name.labelBytes
        let zoneLabels = zone.labelCount
        // X (at least one label), ns, svc, then the zone's labels.
        guard labels.count >= zoneLabels + 3 else { return nil }
        let svcIndex = labels.count - zoneLabels - 1
        guard Array(labels[svcIndex]) == Array("svc".utf8) else { return nil }
        let namespace = String(decoding: labels[svcIndex - 1], as: UTF8.self)
        // X's labels as they stand in the wire form, length octets included.
        var stem: [UInt8] = []
        for label in labels[0..<(svcIndex - 1)] {
            stem.append(UInt8(label.count))
            stem += label
        }
        let svcZone = [UInt8(3)] + Array("svc".utf8) + zone.wire
        let names = [stem + svcZone, stem + zone.wire, stem + [0]].filter { $0.count <= 255 }
        return (namespace, names.map { DomainName(uncheckedWire: $0) })
    }
}
