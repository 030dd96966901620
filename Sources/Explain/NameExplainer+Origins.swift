import ClusterModel
import DNSWire
import IPAddressing
import Manifests
import ZoneCompiler

extension NameExplainer {
    /// Where a record of the answer came from, as a sentence.
    func origin(of record: ResourceRecord) -> String {
        let owner = record.owner
        let fileZones = self.snapshot.fileZones
        if let added = fileZones.clusterRecords.first(where: { Self.same($0.record, record) }) {
            return "\(added.path):\(added.line)"
        }
        if let index = fileZones.zone(of: owner) {
            let zone = fileZones.zones[index]
            if zone.path.hasPrefix("--external-zone") { return self.externalOrigin(record, apex: zone.apex) }
            if let position = zone.records.firstIndex(where: { Self.same($0, record) }) {
                return "\(zone.path):\(zone.lines[position])"
            }
            // Synthesized from a wildcard (RFC 4592): the wildcard record of the same data.
            if let position = zone.records.firstIndex(where: { candidate in
                candidate.owner.isWildcard && owner.isSubdomain(of: candidate.owner.parent) && candidate.type == record.type
                    && candidate.rdata == record.rdata
            }) {
                return "\(zone.path):\(zone.lines[position]), the wildcard \(zone.records[position].owner)"
            }
            return zone.path
        }
        if owner.isSubdomain(of: self.options.domain) { return self.clusterOrigin(record) }
        if let address = IPAddress.parsing(reverseName: owner.description), case .ptr(let target) = record.rdata {
            // A PTR comes from what gives its target that address.
            let forward = ResourceRecord(target, ttl: record.ttl, RData(address: address))
            if owner.labelCount == (address.family == .ipv4 ? 6 : 34) {
                return target.isSubdomain(of: self.options.domain) ? self.clusterOrigin(forward) : "the reverse zone's apex (generated)"
            }
        }
        if record.type == .soa || record.type == .ns { return "the zone's apex (generated)" }
        return "generated"
    }

    /// Two records are one if owner, type and data agree (the TTL of an RRset may be lowered).
    static func same(_ left: ResourceRecord, _ right: ResourceRecord) -> Bool {
        left.owner == right.owner && left.type == right.type && left.rdata == right.rdata
    }

    private func clusterOrigin(_ record: ResourceRecord) -> String {
        let names = self.options.names
        if record.owner == self.options.domain { return "the cluster zone's apex (generated)" }
        if record.owner == names.dnsVersion { return "the Kubernetes DNS schema version (generated)" }
        if record.owner == names.nameServer {
            let identity = ObjectIdentity(kind: .service, namespace: "kube-system", name: "kube-dns")
            return self.cluster.service(namespace: "kube-system", name: "kube-dns") != nil
                ? "the name server's address: the cluster IP of \(self.described(identity))" : "the name server's address: --dns-ip"
        }
        let labels = Self.relativeLabels(record.owner, under: self.options.domain)
        guard labels.count >= 3 else { return "generated" }
        let namespace = labels[labels.count - 2]
        if labels.last == ClusterNames.podMarker {
            guard let address = record.rdata.address else { return "generated" }
            return self.podOrigin(namespace: namespace, address: address)
        }
        guard labels.last == ClusterNames.serviceMarker else { return "generated" }
        let serviceName = labels[labels.count - 3]
        let identity = ObjectIdentity(kind: .service, namespace: namespace, name: serviceName)
        guard let service = self.cluster.service(namespace: namespace, name: serviceName) else { return identity.description }
        switch labels.count {
        case 3:
            if let address = record.rdata.address {
                if service.isHeadless { return self.endpointOrigin(service, address: address) }
                let written = self.objects[identity].flatMap { object -> [String]? in
                    guard case .service(let manifest) = object.body else { return nil }
                    return manifest.clusterIPs
                } ?? []
                let how = written.contains(address.description) ? "spec.clusterIP" : "cluster IP allocated from --service-cidr"
                return "\(self.described(identity)), \(how)"
            }
            if record.type == .cname { return "\(self.described(identity)), spec.externalName" }
            return self.described(identity)
        case 4:
            if let address = record.rdata.address { return self.endpointOrigin(service, address: address) }
            return self.described(identity)
        default:
            return "\(self.described(identity)), spec.ports \(labels[0].dropFirst()) and its endpoints"
        }
    }

    /// An endpoint's address: the EndpointSlice or Endpoints object that lists it, and the pod
    /// behind it (written, or synthesized for a workload).
    private func endpointOrigin(_ service: ClusterService, address: IPAddress) -> String {
        var sources: [String] = []
        for (identity, object) in self.objects.sorted(by: { $0.key < $1.key }) where identity.namespace == service.namespace {
            switch object.body {
            case .endpointSlice(let slice)
            where slice.serviceName == service.name && slice.endpoints.contains(where: { $0.addresses.contains(address) }):
                sources.append(self.described(identity))
            case .endpoints(let endpoints)
            where endpoints.metadata.name == service.name
                && endpoints.subsets.contains(where: { ($0.addresses + $0.notReadyAddresses).contains { $0.ip == address } }):
                sources.append(self.described(identity))
            default:
                continue
            }
        }
        let endpoint = service.endpoints.first { $0.addresses.contains(address) }
        if let podName = endpoint?.podName {
            sources.append(self.podDescription(namespace: service.namespace, name: podName))
        }
        let serviceIdentity = ObjectIdentity(kind: .service, namespace: service.namespace, name: service.name)
        guard !sources.isEmpty else { return "an endpoint of \(self.described(serviceIdentity))" }
        return "an endpoint of \(serviceIdentity): " + sources.joined(separator: "; ")
    }

    private func podOrigin(namespace: String, address: IPAddress) -> String {
        guard let pod = self.cluster.partitions[namespace]?.pods.first(where: { $0.ips.contains(address) }) else {
            return "a pod address (--pods insecure answers any address)"
        }
        return self.podDescription(namespace: namespace, name: pod.name)
    }

    /// A pod as written (`Pod ns/name (file:line)`), or as synthesized for its workload.
    func podDescription(namespace: String, name: String) -> String {
        let identity = ObjectIdentity(kind: .pod, namespace: namespace, name: name)
        if self.objects[identity] != nil { return self.described(identity) }
        guard let pod = self.cluster.partitions[namespace]?.pods.first(where: { $0.name == name }),
            let workload = pod.synthesizedFor, let slash = workload.firstIndex(of: "/"),
            let kind = ObjectKind(rawValue: String(workload[..<slash]))
        else { return identity.description }
        let owner = ObjectIdentity(kind: kind, namespace: namespace, name: String(workload[workload.index(after: slash)...]))
        return "\(identity), synthesized for \(self.described(owner))"
    }

    private func externalOrigin(_ record: ResourceRecord, apex: DomainName) -> String {
        let labels = Self.relativeLabels(record.owner, under: apex)
        if labels.isEmpty || labels == ["ns", "dns"] { return "the external zone \(apex)'s apex (generated)" }
        var sources: [String] = []
        let host = record.owner.description.dropLast()
        for ingress in self.cluster.ingresses where ingress.hosts.contains(where: { $0.lowercased() == host.lowercased() }) {
            sources.append("\(self.described(ObjectIdentity(kind: .ingress, namespace: ingress.namespace, name: ingress.name))), spec.rules[].host")
        }
        if labels.count >= 2, let service = self.cluster.service(namespace: labels[labels.count - 1], name: labels[labels.count - 2]) {
            let identity = ObjectIdentity(kind: .service, namespace: service.namespace, name: service.name)
            if service.isHeadless, let address = record.rdata.address {
                sources.append(self.endpointOrigin(service, address: address))
            } else if labels.count == 2 {
                sources.append("\(self.described(identity)), status.loadBalancer and spec.externalIPs")
            }
        }
        return sources.isEmpty ? "generated" : sources.joined(separator: "; ")
    }
}
