import DNSWire
import IPAddressing
import Manifests

/// The name shapes of the Kubernetes DNS-Based Service Discovery specification under one cluster
/// domain, built and parsed in one place:
///
///     <svc>.<ns>.svc.<zone>                     a Service                  (spec 2.3, 2.4, 2.5)
///     <hostname|a-b-c-d>.<svc>.<ns>.svc.<zone>  one of its endpoints       (spec 2.4.1)
///     _<port>._<proto>.<svc>.<ns>.svc.<zone>    one of its named ports     (spec 2.3.2, 2.4.2)
///     <a-b-c-d>.<ns>.pod.<zone>                 a pod                      (spec 2.6, kube-dns)
///     ns.dns.<zone>, hostmaster.<zone>, dns-version.<zone>                 (spec 2.1, the SOA)
///
/// Building never shortens a name: one that would pass 255 octets (RFC 1035 §2.3.4) is nil.
package struct ClusterNames: Sendable, Hashable {
    package let domain: DomainName

    package init(domain: DomainName) {
        self.domain = domain
    }

    /// The label marking Services' names, and the one marking pods' names.
    package static let serviceMarker = "svc"
    package static let podMarker = "pod"

    // MARK: building

    /// `labels` in front of the domain; nil when the name would be longer than 255 octets.
    package func name(_ labels: [String]) -> DomainName? {
        var result = self.domain
        for label in labels.reversed() {
            guard let next = result.prepending(label) else { return nil }
            result = next
        }
        return result
    }

    /// A name every zone has (`ns.dns`, `hostmaster`, `dns-version`, `svc`, `pod`): `--domain` is
    /// checked to leave room for each, so this never falls back to the domain itself.
    package func fixed(_ labels: [String]) -> DomainName { self.name(labels) ?? self.domain }

    /// The labels every cluster domain must leave room for.
    package static let fixedLabels = [["ns", "dns"], ["hostmaster"], ["dns-version"]]

    package var nameServer: DomainName { self.fixed(["ns", "dns"]) }
    package var hostmaster: DomainName { self.fixed(["hostmaster"]) }
    package var dnsVersion: DomainName { self.fixed(["dns-version"]) }

    /// `<svc>.<ns>.svc.<zone>`.
    package func service(_ name: String, namespace: String) -> DomainName? {
        self.name([name, namespace, Self.serviceMarker])
    }

    /// `<svc>` in front of `root`, its namespace's `<ns>.svc.<zone>` (`namespaceRoots`): what
    /// `service(_:namespace:)` makes, from the root a namespace's services share.
    package func service(_ name: String, under root: DomainName) -> DomainName? {
        root.prepending(name)
    }

    /// `<label>.<service name>`: an endpoint by hostname or dashed address.
    package func endpoint(_ label: String, of service: DomainName) -> DomainName? { service.prepending(label) }

    /// `_<port>._<proto>.<service name>`.
    package func port(_ name: String, _ proto: PortProtocol, of service: DomainName) -> DomainName? {
        service.prepending("_" + name, proto.srvOwnerLabel)
    }

    /// `_<proto>.<service name>`: the name between a service's name and its ports' SRV owners.
    package func portProtocol(_ proto: PortProtocol, of service: DomainName) -> DomainName? {
        service.prepending(proto.srvOwnerLabel)
    }

    /// `<a-b-c-d>.<ns>.pod.<zone>`.
    package func pod(_ address: IPAddress, namespace: String) -> DomainName? {
        self.name([address.dashed, namespace, Self.podMarker])
    }

    /// `<ns>.svc.<zone>`, and `<ns>.pod.<zone>` when pod names are served: the roots of a
    /// namespace's names, which exist even when nothing is below them.
    package func namespaceRoots(_ namespace: String, pods: Bool) -> [DomainName] {
        var names = [self.name([namespace, Self.serviceMarker])]
        if pods { names.append(self.name([namespace, Self.podMarker])) }
        return names.compactMap { $0 }
    }

    // MARK: parsing

    /// The namespace of a name under `<ns>.svc.<zone>` or `<ns>.pod.<zone>`, lower-cased.
    package func namespace(of name: DomainName) -> String? {
        let labels = name.labelBytes
        let zoneLabels = self.domain.labelCount
        guard labels.count >= zoneLabels + 2, name.isSubdomain(of: self.domain) else { return nil }
        let marker = String(decoding: labels[labels.count - zoneLabels - 1], as: UTF8.self).lowercased()
        guard marker == Self.serviceMarker || marker == Self.podMarker else { return nil }
        return String(decoding: labels[labels.count - zoneLabels - 2], as: UTF8.self).lowercased()
    }

    /// Where the namespace label of a query name under `<ns>.svc.<zone>` or `<ns>.pod.<zone>`
    /// lies: the lower-cased wire `name` whose last `apexLength` bytes are the zone, with its
    /// `labelStarts`. The label is returned length byte included (as the namespace index keys it).
    /// Allocation-free: the query path routes every cluster name through it.
    @inlinable
    package static func namespaceLabel(
        in name: UnsafeRawBufferPointer, labelStarts: UnsafeBufferPointer<UInt8>, apexLength: Int
    ) -> (range: Range<Int>, isPod: Bool)? {
        let marker = name.count - apexLength - 4
        guard marker > 0, name[marker] == 3 else { return nil }
        let isService = name[marker + 1] == 0x73 && name[marker + 2] == 0x76 && name[marker + 3] == 0x63  // svc
        let isPod = name[marker + 1] == 0x70 && name[marker + 2] == 0x6F && name[marker + 3] == 0x64  // pod
        guard isService || isPod else { return nil }
        // The marker must start a label, and the namespace label end where it starts.
        var markerIsLabel = false
        var namespaceStart = -1
        for start in labelStarts {
            let offset = Int(start)
            if offset == marker { markerIsLabel = true }
            if offset + 1 + Int(name[offset]) == marker { namespaceStart = offset }
        }
        guard markerIsLabel, namespaceStart >= 0 else { return nil }
        return (namespaceStart..<marker, isPod)
    }

    /// The address a pod name's first label spells (`10-244-1-5`, `fd00-10-244--5`), nil when it
    /// spells none.
    package static func podAddress(dashed label: some Collection<UInt8>) -> IPAddress? {
        let text = String(decoding: label, as: UTF8.self)
        let isIPv6 = text.contains("--") || text.split(separator: "-").count > 4
        return IPAddress(String(text.map { $0 == "-" ? (isIPv6 ? ":" : ".") : $0 }))
    }
}
