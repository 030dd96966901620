import ClusterModel
import DNSWire
import Manifests

/// Turns a `Cluster` into the records ClusterDNS serves, following the Kubernetes DNS-Based
/// Service Discovery specification (schema 1.1.0). Pure. Records are made per unit — a service,
/// a pod, a namespace, the zone apexes — so that a rebuild can redo only the units that changed;
/// `zones(for:options:)` puts every unit together (for `dump` and zone transfers).
package enum RecordGenerator {
    /// What one service contributes: the records of its subtree (`<svc>.<ns>.svc.<zone>` and
    /// below), and PTR targets by address (for the reverse zones).
    package struct ServiceRecords: Sendable {
        package var records: [ResourceRecord] = []
        /// Names under the service that exist without records of their own.
        package var emptyNames: [DomainName] = []
        package var pointers: [(address: IPAddress, target: PointerTarget)] = []
    }

    // MARK: names

    static func name(_ labels: [String], under parent: DomainName) -> DomainName {
        var result = parent
        for label in labels.reversed() { result = result.prepending(label) ?? result }
        return result
    }

    package static func serviceName(_ namespace: String, _ service: String, options: RecordOptions) -> DomainName {
        Self.name([service, namespace, "svc"], under: options.domain)
    }

    package static func namespaceNames(_ namespace: String, options: RecordOptions) -> [DomainName] {
        var names = [Self.name([namespace, "svc"], under: options.domain)]
        if options.pods != .disabled { names.append(Self.name([namespace, "pod"], under: options.domain)) }
        return names
    }

    static func addressRecord(_ owner: DomainName, _ address: IPAddress, ttl: UInt32) -> ResourceRecord {
        ResourceRecord(owner, ttl: ttl, address.family == .ipv4 ? .a(address.bytes) : .aaaa(address.bytes))
    }

    /// `<zone>. SOA ns.dns.<zone>. hostmaster.<zone>. <serial> 7200 1800 86400 <ttl>`, with the
    /// zone's own serial when given (a reverse zone's changes with its content only).
    package static func soa(_ options: RecordOptions, serial: UInt32? = nil) -> RData {
        .soa(
            mname: Self.name(["ns", "dns"], under: options.domain), rname: Self.name(["hostmaster"], under: options.domain),
            serial: serial ?? options.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: options.ttl)
    }

    // MARK: units

    /// The cluster zone's apex and fixed names: SOA, NS, the name server's address (the
    /// kube-dns Service's cluster IPs when there is one, else `--dns-ip`), `dns-version`.
    package static func apexRecords(kubeDNS: [IPAddress], options: RecordOptions) -> [ResourceRecord] {
        let apex = options.domain
        let ttl = options.ttl
        let nameServer = Self.name(["ns", "dns"], under: apex)
        var records = [ResourceRecord(apex, ttl: ttl, Self.soa(options)), ResourceRecord(apex, ttl: ttl, .ns(nameServer))]
        for address in kubeDNS.isEmpty ? [options.dnsIP] : kubeDNS {
            records.append(Self.addressRecord(nameServer, address, ttl: ttl))
        }
        records.append(
            ResourceRecord(Self.name(["dns-version"], under: apex), ttl: ttl, .txt([Array(RecordOptions.schemaVersion.utf8)])))
        return records
    }

    /// SOA and NS of a reverse zone.
    package static func reverseApexRecords(_ apex: DomainName, options: RecordOptions, serial: UInt32? = nil) -> [ResourceRecord] {
        [
            ResourceRecord(apex, ttl: options.ttl, Self.soa(options, serial: serial)),
            ResourceRecord(apex, ttl: options.ttl, .ns(Self.name(["ns", "dns"], under: options.domain))),
        ]
    }

    /// A pod's records (`--pods verified`): `<a-b-c-d>.<ns>.pod.<zone>` A/AAAA per address.
    package static func podRecords(_ pod: ClusterPod, options: RecordOptions) -> [ResourceRecord] {
        guard options.pods == .verified, !pod.isTerminated else { return [] }
        let parent = Self.name([pod.namespace, "pod"], under: options.domain)
        return pod.ips.map { address in
            Self.addressRecord(parent.prepending(address.dashed) ?? parent, address, ttl: options.ttl)
        }
    }

    /// A service's records.
    package static func serviceRecords(_ service: ClusterService, options: RecordOptions) -> ServiceRecords {
        var result = ServiceRecords()
        let ttl = options.ttl
        let serviceName = Self.serviceName(service.namespace, service.name, options: options)
        if service.type == .externalName {
            // Spec 2.5: a CNAME to the external name; nothing exists below it.
            if let target = service.externalName.flatMap({ DomainName($0 + ".") }) {
                result.records.append(ResourceRecord(serviceName, ttl: ttl, .cname(target)))
            }
            return result
        }
        // Endpoint names: the hostname, else each address dashed. Two endpoints with the same
        // hostname share the name, with both addresses.
        var endpointNames: [(name: DomainName, addresses: [IPAddress], ports: [EndpointPort])] = []
        for endpoint in service.endpoints where service.publishes(endpoint) {
            if let hostname = endpoint.hostname {
                let owner = serviceName.prepending(hostname) ?? serviceName
                if let existing = endpointNames.firstIndex(where: { $0.name == owner }) {
                    endpointNames[existing].addresses += endpoint.addresses.filter {
                        !endpointNames[existing].addresses.contains($0)
                    }
                } else {
                    endpointNames.append((owner, endpoint.addresses, endpoint.ports))
                }
            } else {
                for address in endpoint.addresses {
                    let owner = serviceName.prepending(address.dashed) ?? serviceName
                    if !endpointNames.contains(where: { $0.name == owner }) {
                        endpointNames.append((owner, [address], endpoint.ports))
                    }
                }
            }
        }
        for entry in endpointNames {
            for address in entry.addresses {
                result.records.append(Self.addressRecord(entry.name, address, ttl: ttl))
                result.pointers.append((address, PointerTarget(entry.name, rank: .endpoint)))
            }
        }

        if service.isHeadless {
            // Spec 2.4.1: one A/AAAA per ready endpoint; none at all → the name does not exist.
            var seen: Set<IPAddress> = []
            for entry in endpointNames {
                for address in entry.addresses where seen.insert(address).inserted {
                    result.records.append(Self.addressRecord(serviceName, address, ttl: ttl))
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
                let owner = Self.name(["_\(portName)", "_\(proto.srvLabel)"], under: serviceName)
                let weight = UInt16(100 / targets.count)
                for (target, port) in targets {
                    result.records.append(
                        ResourceRecord(owner, ttl: ttl, .srv(priority: 0, weight: weight, port: UInt16(port), target: target)))
                }
            }
            return result
        }

        // Spec 2.3: the cluster IPs, SRV per named port, PTR per cluster IP.
        for address in service.clusterIPs {
            result.records.append(Self.addressRecord(serviceName, address, ttl: ttl))
            result.pointers.append((address, PointerTarget(serviceName, rank: .clusterIP)))
        }
        for port in service.ports {
            guard let portName = port.name else { continue }
            let owner = Self.name(["_\(portName)", "_\(port.protocol.srvLabel)"], under: serviceName)
            result.records.append(
                ResourceRecord(owner, ttl: ttl, .srv(priority: 0, weight: 100, port: UInt16(port.port), target: serviceName)))
        }
        return result
    }

    /// The PTR owner of an address.
    package static func pointerOwner(_ address: IPAddress) -> DomainName {
        DomainName(address.reverseName + ".") ?? .root
    }

    /// A PTR RRset: one record per target name, in the targets' order (ranked, then canonical).
    package static func pointerRecords(_ owner: DomainName, _ targets: [PointerTarget], ttl: UInt32) -> [ResourceRecord] {
        var seen: Set<DomainName> = []
        return targets.sorted().compactMap { target in
            seen.insert(target.name).inserted ? ResourceRecord(owner, ttl: ttl, .ptr(target.name)) : nil
        }
    }

    // MARK: everything

    /// Every zone for `cluster`: the cluster zone first, then the reverse zones in canonical order,
    /// each reverse zone with `serial(apex)` in its SOA.
    package static func zones(
        for cluster: Cluster, options: RecordOptions, serial: (DomainName) -> UInt32? = { _ in nil }
    ) -> [Zone] {
        let kubeDNS = cluster.service(namespace: "kube-system", name: "kube-dns")?.clusterIPs ?? []
        var clusterZone = Zone(apex: options.domain, records: Self.apexRecords(kubeDNS: kubeDNS, options: options))
        for namespace in cluster.namespaces { clusterZone.emptyNames += Self.namespaceNames(namespace, options: options) }
        var pointers: [IPAddress: Set<PointerTarget>] = [:]
        for service in cluster.services {
            let unit = Self.serviceRecords(service, options: options)
            clusterZone.records += unit.records
            clusterZone.emptyNames += unit.emptyNames
            for (address, target) in unit.pointers { pointers[address, default: []].insert(target) }
        }
        for pod in cluster.pods { clusterZone.records += Self.podRecords(pod, options: options) }
        // The covering zones always; a zone for each block outside them that holds an address.
        let zones = ReverseZones(covering: options.reverseCIDRs)
        var reverseByApex: [DomainName: Zone] = [:]
        for apex in zones.coveringApexes {
            reverseByApex[apex] = Zone(apex: apex, records: Self.reverseApexRecords(apex, options: options, serial: serial(apex)))
        }
        for (address, targets) in pointers {
            let apex = ReverseZones.apex(of: zones.block(for: address).block)
            if reverseByApex[apex] == nil {
                reverseByApex[apex] = Zone(
                    apex: apex, records: Self.reverseApexRecords(apex, options: options, serial: serial(apex)))
            }
            reverseByApex[apex]?.records += Self.pointerRecords(Self.pointerOwner(address), Array(targets), ttl: options.ttl)
        }
        let reverse = reverseByApex.keys.sorted().compactMap { reverseByApex[$0] }
        return [clusterZone] + reverse
    }
}
