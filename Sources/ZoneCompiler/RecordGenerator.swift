import ClusterModel
import DNSWire
import Manifests

/// Turns a `Cluster` into the zones ClusterDNS serves: the cluster zone, then the reverse zones,
/// following the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0). Pure.
package struct RecordGenerator {
    let options: RecordOptions
    private let ttl: UInt32
    private var cluster = Zone(apex: .root)
    private var reverse: [Zone] = []
    /// PTR targets per reverse owner, so one address's PTRs are not repeated.
    private var pointers: [DomainName: [DomainName]] = [:]

    package init(options: RecordOptions) {
        self.options = options
        self.ttl = options.ttl
    }

    /// Every zone for `cluster`: the cluster zone first, then the reverse zones in canonical order.
    package static func zones(for cluster: Cluster, options: RecordOptions) -> [Zone] {
        var generator = RecordGenerator(options: options)
        return generator.generate(cluster)
    }

    private mutating func generate(_ model: Cluster) -> [Zone] {
        let apex = self.options.domain
        self.cluster = Zone(apex: apex)
        self.reverse = ReverseZones.apexes(covering: self.options.reverseCIDRs).map { Zone(apex: $0) }

        let nameServer = self.name(["ns", "dns"], under: apex)
        self.cluster.records.append(ResourceRecord(apex, ttl: self.ttl, self.soa()))
        self.cluster.records.append(ResourceRecord(apex, ttl: self.ttl, .ns(nameServer)))
        var dnsAddresses = model.service(namespace: "kube-system", name: "kube-dns")?.clusterIPs ?? []
        if dnsAddresses.isEmpty { dnsAddresses = [self.options.dnsIP] }
        for address in dnsAddresses { self.cluster.records.append(self.addressRecord(nameServer, address)) }
        self.cluster.records.append(
            ResourceRecord(
                self.name(["dns-version"], under: apex), ttl: self.ttl,
                .txt([Array(RecordOptions.schemaVersion.utf8)])))

        let svc = self.name(["svc"], under: apex)
        let pod = self.name(["pod"], under: apex)
        for namespace in model.namespaces {
            self.cluster.emptyNames.append(self.name([namespace], under: svc))
            if self.options.pods != .disabled { self.cluster.emptyNames.append(self.name([namespace], under: pod)) }
        }
        for service in model.services { self.addService(service, svc: svc) }
        if self.options.pods == .verified {
            for member in model.pods where !member.isTerminated {
                for address in member.ips {
                    self.cluster.records.append(
                        self.addressRecord(self.name([address.dashed, member.namespace], under: pod), address))
                }
            }
        }
        for (owner, targets) in self.pointers {
            for target in targets { self.addToReverseZone(ResourceRecord(owner, ttl: self.ttl, .ptr(target))) }
        }
        for index in self.reverse.indices {
            let zoneApex = self.reverse[index].apex
            self.reverse[index].records.insert(ResourceRecord(zoneApex, ttl: self.ttl, .ns(nameServer)), at: 0)
            self.reverse[index].records.insert(ResourceRecord(zoneApex, ttl: self.ttl, self.soa()), at: 0)
        }
        self.reverse.sort { $0.apex < $1.apex }
        return [self.cluster] + self.reverse
    }

    /// `<zone>. SOA ns.dns.<zone>. hostmaster.<zone>. <serial> 7200 1800 86400 <ttl>`.
    private func soa() -> RData {
        let apex = self.options.domain
        return .soa(
            mname: self.name(["ns", "dns"], under: apex), rname: self.name(["hostmaster"], under: apex),
            serial: self.options.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: self.ttl)
    }

    private func name(_ labels: [String], under parent: DomainName) -> DomainName {
        var result = parent
        for label in labels.reversed() { result = result.prepending(label) ?? result }
        return result
    }

    private func addressRecord(_ owner: DomainName, _ address: IPAddress) -> ResourceRecord {
        ResourceRecord(owner, ttl: self.ttl, address.family == .ipv4 ? .a(address.bytes) : .aaaa(address.bytes))
    }

    private mutating func addPointer(_ address: IPAddress, to target: DomainName) {
        guard let owner = DomainName(address.reverseName + ".") else { return }
        if self.pointers[owner]?.contains(target) == true { return }
        self.pointers[owner, default: []].append(target)
    }

    /// Puts a PTR into the reverse zone that holds its owner; an address outside every zone gets
    /// a zone of its own (apex = the PTR owner), so no authority is claimed beyond what we know.
    private mutating func addToReverseZone(_ record: ResourceRecord) {
        if let index = self.reverse.firstIndex(where: { record.owner.isSubdomain(of: $0.apex) }) {
            self.reverse[index].records.append(record)
        } else {
            self.reverse.append(Zone(apex: record.owner, records: [record]))
        }
    }

    private mutating func addService(_ service: ClusterService, svc: DomainName) {
        let serviceName = self.name([service.name, service.namespace], under: svc)
        if service.type == .externalName {
            // Spec 2.5: a CNAME to the external name; nothing exists below it.
            if let target = service.externalName.flatMap({ DomainName($0 + ".") }) {
                self.cluster.records.append(ResourceRecord(serviceName, ttl: self.ttl, .cname(target)))
            }
            return
        }
        let published = service.endpoints.filter { service.publishes($0) }
        // Endpoint names: the hostname, else each address dashed. Two endpoints with the same
        // hostname share the name, with both addresses.
        var endpointNames: [(name: DomainName, addresses: [IPAddress], ports: [EndpointPort])] = []
        for endpoint in published {
            let addresses = endpoint.addresses
            if let hostname = endpoint.hostname {
                let owner = self.name([hostname], under: serviceName)
                if let existing = endpointNames.firstIndex(where: { $0.name == owner }) {
                    endpointNames[existing].addresses += addresses.filter { !endpointNames[existing].addresses.contains($0) }
                } else {
                    endpointNames.append((owner, addresses, endpoint.ports))
                }
            } else {
                for address in addresses {
                    let owner = self.name([address.dashed], under: serviceName)
                    if !endpointNames.contains(where: { $0.name == owner }) {
                        endpointNames.append((owner, [address], endpoint.ports))
                    }
                }
            }
        }
        for entry in endpointNames {
            for address in entry.addresses {
                self.cluster.records.append(self.addressRecord(entry.name, address))
                self.addPointer(address, to: entry.name)
            }
        }

        if service.isHeadless {
            // Spec 2.4.1: one A/AAAA per ready endpoint; none at all → the name does not exist.
            var seen: Set<IPAddress> = []
            for entry in endpointNames {
                for address in entry.addresses where seen.insert(address).inserted {
                    self.cluster.records.append(self.addressRecord(serviceName, address))
                }
            }
            // Spec 2.4.2: one SRV per ready endpoint and named port, to the endpoint's port.
            var portKeys: [String: (name: String, proto: PortProtocol)] = [:]
            for entry in endpointNames {
                for port in entry.ports {
                    guard let portName = port.name else { continue }
                    portKeys["\(portName)/\(port.protocol.rawValue)"] = (portName, port.protocol)
                }
            }
            for key in portKeys.keys.sorted() {
                guard let (portName, proto) = portKeys[key] else { continue }
                let targets = endpointNames.compactMap { entry -> (DomainName, Int)? in
                    guard let port = entry.ports.first(where: { $0.name == portName && $0.protocol == proto }) else {
                        return nil
                    }
                    return (entry.name, port.port)
                }
                guard !targets.isEmpty else { continue }
                let owner = self.name(["_\(portName)", "_\(proto.srvLabel)"], under: serviceName)
                let weight = UInt16(100 / targets.count)
                for (target, port) in targets {
                    self.cluster.records.append(
                        ResourceRecord(
                            owner, ttl: self.ttl, .srv(priority: 0, weight: weight, port: UInt16(port), target: target)))
                }
            }
            return
        }

        // Spec 2.3: the cluster IPs, SRV per named port, PTR per cluster IP.
        for address in service.clusterIPs {
            self.cluster.records.append(self.addressRecord(serviceName, address))
            self.addPointer(address, to: serviceName)
        }
        for port in service.ports {
            guard let portName = port.name else { continue }
            let owner = self.name(["_\(portName)", "_\(port.protocol.srvLabel)"], under: serviceName)
            self.cluster.records.append(
                ResourceRecord(
                    owner, ttl: self.ttl,
                    .srv(priority: 0, weight: 100, port: UInt16(port.port), target: serviceName)))
        }
    }
}
