import ClusterModel
import DNSWire
import IPAddressing
import Manifests

/// Turns a `Cluster` into the records ClusterDNS serves, following the Kubernetes DNS-Based
/// Service Discovery specification (schema 1.1.0). Pure. Records are made per unit — a service,
/// a pod, the zone apexes — so that a rebuild can redo only the units that changed; the names
/// come from `ClusterNames`.
package enum RecordGenerator {
    /// What one service contributes: the records of its subtree (`<svc>.<ns>.svc.<zone>` and
    /// below), and PTR targets by address (for the reverse zones).
    package struct ServiceRecords: Sendable {
        package var records: [ResourceRecord] = []
        /// Names under the service that exist without records of their own.
        package var emptyNames: [DomainName] = []
        package var pointers: [(address: IPAddress, target: PointerTarget)] = []
        /// Names that could not be formed, each left out with its records (for a diagnostic).
        package var problems: [String] = []
    }

    // MARK: names

    /// The problem of a name that could not be formed: such a name is never cut or dropped to fit
    /// (RFC 1035 §2.3.4), since that could merge two names; the record is left out.
    static func tooLong(_ subject: String, _ name: String, _ options: RecordOptions, _ what: String) -> String {
        "\(subject): \(name).\(options.domain) would be longer than 255 octets (RFC 1035 §2.3.4); \(what) left out"
    }

    static func addressRecord(_ owner: DomainName, _ address: IPAddress, ttl: UInt32) -> ResourceRecord {
        ResourceRecord(owner, ttl: ttl, RData(address: address))
    }

    /// `<zone>. SOA ns.dns.<zone>. hostmaster.<zone>. <serial> 7200 1800 86400 <ttl>`, with the
    /// zone's own serial when given (a reverse zone's changes with its content only).
    package static func soa(_ options: RecordOptions, serial: UInt32? = nil) -> RData {
        .soa(
            mname: options.names.nameServer, rname: options.names.hostmaster,
            serial: serial ?? options.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: options.ttl)
    }

    // MARK: units

    /// The cluster zone's apex and fixed names: SOA, NS, the name server's address (the
    /// kube-dns Service's cluster IPs when there is one, else `--dns-ip`), `dns-version`.
    package static func apexRecords(kubeDNS: [IPAddress], options: RecordOptions) -> [ResourceRecord] {
        let apex = options.domain
        let ttl = options.ttl
        let nameServer = options.names.nameServer
        var records = [ResourceRecord(apex, ttl: ttl, Self.soa(options)), ResourceRecord(apex, ttl: ttl, .ns(nameServer))]
        for address in kubeDNS.isEmpty ? [options.dnsIP] : kubeDNS {
            records.append(Self.addressRecord(nameServer, address, ttl: ttl))
        }
        records.append(
            ResourceRecord(options.names.dnsVersion, ttl: ttl, .txt([Array(RecordOptions.schemaVersion.utf8)])))
        return records
    }

    /// SOA and NS of a reverse zone.
    package static func reverseApexRecords(_ apex: DomainName, options: RecordOptions, serial: UInt32? = nil) -> [ResourceRecord] {
        [
            ResourceRecord(apex, ttl: options.ttl, Self.soa(options, serial: serial)),
            ResourceRecord(apex, ttl: options.ttl, .ns(options.names.nameServer)),
        ]
    }

    /// A pod's records (`--pods verified`): `<a-b-c-d>.<ns>.pod.<zone>` A/AAAA per address; a
    /// name that cannot be formed is a problem, and its record is left out.
    package static func podRecords(
        _ pod: ClusterPod, options: RecordOptions, problems: inout [String]
    ) -> [ResourceRecord] {
        guard options.pods == .verified, !pod.isTerminated else { return [] }
        var records: [ResourceRecord] = []
        for address in pod.ips {
            guard let owner = options.names.pod(address, namespace: pod.namespace) else {
                problems.append(
                    Self.tooLong("Pod \(pod.namespace)/\(pod.name)", "\(address.dashed).\(pod.namespace).pod", options, "its pod record is"))
                continue
            }
            records.append(Self.addressRecord(owner, address, ttl: options.ttl))
        }
        return records
    }

    /// A service's records. `namespaceRoot`, when given, is its namespace's `<ns>.svc.<zone>`.
    package static func serviceRecords(
        _ service: ClusterService, options: RecordOptions, namespaceRoot: DomainName? = nil
    ) -> ServiceRecords {
        var result = ServiceRecords()
        let ttl = options.ttl
        // Spelled only for a problem: this runs for every service of every build.
        func subject() -> String { "Service \(service.namespace)/\(service.name)" }
        let names = options.names
        guard
            let serviceName = namespaceRoot.map({ names.service(service.name, under: $0) })
                ?? names.service(service.name, namespace: service.namespace)
        else {
            result.problems.append(Self.tooLong(subject(), "\(service.name).\(service.namespace).svc", options, "its records are"))
            return result
        }
        if service.type == .externalName {
            // Spec 2.5: a CNAME to the external name; nothing exists below it.
            if let target = service.externalName.flatMap({ DomainName($0 + ".") }) {
                result.records.append(ResourceRecord(serviceName, ttl: ttl, .cname(target)))
            }
            return result
        }
        let endpointNames = Self.endpointNames(service, serviceName: serviceName, options: options) {
            result.problems.append(Self.tooLong(subject(), "\($0).\(service.name).\(service.namespace).svc", options, "its records are"))
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
            for port in Self.headlessPorts(endpointNames) {
                guard let owner = names.port(port.name, port.protocol, of: serviceName) else {
                    result.problems.append(
                        Self.tooLong(subject(), "_\(port.name)._\(port.protocol.srvLabel).\(service.name).\(service.namespace).svc", options, "its SRV records are"))
                    continue
                }
                let weight = UInt16(100 / port.targets.count)
                for target in port.targets {
                    result.records.append(
                        ResourceRecord(
                            owner, ttl: ttl,
                            .srv(priority: 0, weight: weight, port: UInt16(target.port), target: endpointNames[target.endpoint].name)))
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
            guard let owner = names.port(portName, port.protocol, of: serviceName) else {
                result.problems.append(
                    Self.tooLong(subject(), "_\(portName)._\(port.protocol.srvLabel).\(service.name).\(service.namespace).svc", options, "its SRV record is"))
                continue
            }
            result.records.append(Self.portRecord(owner, port: port.port, of: serviceName, ttl: ttl))
        }
        return result
    }

    /// The SRV record of a ClusterIP service's named port (spec 2.3.2): to the service's name.
    static func portRecord(_ owner: DomainName, port: Int, of serviceName: DomainName, ttl: UInt32) -> ResourceRecord {
        ResourceRecord(owner, ttl: ttl, .srv(priority: 0, weight: 100, port: UInt16(port), target: serviceName))
    }

    /// The PTR contributions of a service alone (what `serviceRecords` gives as `pointers`),
    /// without making its records: a rebuild diffs a changed namespace's old contributions with
    /// its new ones.
    package static func servicePointers(_ service: ClusterService, options: RecordOptions) -> [(address: IPAddress, target: PointerTarget)] {
        guard service.type != .externalName, let serviceName = options.names.service(service.name, namespace: service.namespace)
        else { return [] }
        var pointers: [(address: IPAddress, target: PointerTarget)] = []
        for entry in Self.endpointNames(service, serviceName: serviceName, options: options, problem: { _ in }) {
            for address in entry.addresses { pointers.append((address, PointerTarget(entry.name, rank: .endpoint))) }
        }
        if !service.isHeadless {
            for address in service.clusterIPs { pointers.append((address, PointerTarget(serviceName, rank: .clusterIP))) }
        }
        return pointers
    }

    /// A service's endpoint names, in endpoint order: the hostname, else each address dashed. Two
    /// endpoints with the same hostname share the name, with both addresses. `problem` hears the
    /// label of each name that could not be formed (left out).
    static func endpointNames(
        _ service: ClusterService, serviceName: DomainName, options: RecordOptions, problem: (String) -> Void
    ) -> [(name: DomainName, addresses: [IPAddress], ports: [EndpointPort])] {
        var endpointNames: [(name: DomainName, addresses: [IPAddress], ports: [EndpointPort])] = []
        var endpointIndex: [DomainName: Int] = [:]
        func endpointName(_ label: String) -> DomainName? {
            guard let owner = options.names.endpoint(label, of: serviceName) else {
                problem(label)
                return nil
            }
            return owner
        }
        for endpoint in service.endpoints where service.publishes(endpoint) {
            if let hostname = endpoint.hostname {
                guard let owner = endpointName(hostname) else { continue }
                if let existing = endpointIndex[owner] {
                    for address in endpoint.addresses where !endpointNames[existing].addresses.contains(address) {
                        endpointNames[existing].addresses.append(address)
                    }
                } else {
                    endpointIndex[owner] = endpointNames.count
                    endpointNames.append((owner, Array(endpoint.addresses), endpoint.ports))
                }
            } else {
                for address in endpoint.addresses {
                    guard let owner = endpointName(address.dashed), endpointIndex[owner] == nil else { continue }
                    endpointIndex[owner] = endpointNames.count
                    endpointNames.append((owner, [address], endpoint.ports))
                }
            }
        }
        return endpointNames
    }

    /// A headless service's named ports (spec 2.4.2) in the order of their `<name>/<protocol>`
    /// keys, each with the endpoints that list it, in endpoint order, and the port number of the
    /// first port of that name and protocol each lists. In one pass over the endpoints' ports:
    /// looking each key's port up in every endpoint's list was cubic, and a 150 KB slice of
    /// 1,000 endpoints and 2,000 ports took seven seconds to build.
    static func headlessPorts(
        _ endpointNames: [(name: DomainName, addresses: [IPAddress], ports: [EndpointPort])]
    ) -> [(name: String, protocol: PortProtocol, targets: [(endpoint: Int, port: Int)])] {
        struct Key: Hashable {
            var name: String
            var `protocol`: PortProtocol
        }
        var slots: [Key: Int] = [:]
        var ports: [(key: String, name: String, protocol: PortProtocol, targets: [(endpoint: Int, port: Int)])] = []
        for (position, entry) in endpointNames.enumerated() {
            for port in entry.ports {
                guard let name = port.name else { continue }
                let key = Key(name: name, protocol: port.protocol)
                guard let slot = slots[key] else {
                    slots[key] = ports.count
                    ports.append(("\(name)/\(port.protocol.rawValue)", name, port.protocol, [(position, port.port)]))
                    continue
                }
                // The last spelling of a name names its SRV owner (names equal as strings may
                // differ in their bytes); an endpoint's first port of a key is its target's.
                ports[slot].name = name
                if ports[slot].targets.last?.endpoint != position { ports[slot].targets.append((position, port.port)) }
            }
        }
        ports.sort { $0.key < $1.key }
        return ports.map { ($0.name, $0.protocol, $0.targets) }
    }

    /// The PTR owner of an address.
    package static func pointerOwner(_ address: IPAddress) -> DomainName {
        DomainName(uncheckedWire: address.reverseWireName)
    }

    /// The address whose PTR owner is `name` (the inverse of `pointerOwner`, from the wire labels);
    /// nil for any other name.
    package static func pointerAddress(_ name: DomainName) -> IPAddress? {
        IPAddress.parsing(reverseLabels: name.labelBytes)
    }

    /// A PTR RRset: one record per target name, in the targets' order (ranked, then canonical).
    package static func pointerRecords(_ owner: DomainName, _ targets: [PointerTarget], ttl: UInt32) -> [ResourceRecord] {
        // Most addresses have one target (170,000 of L's): no order to make, no duplicate to drop.
        if targets.count == 1 { return [ResourceRecord(owner, ttl: ttl, .ptr(targets[0].name))] }
        var seen: Set<DomainName> = []
        return targets.sorted().compactMap { target in
            seen.insert(target.name).inserted ? ResourceRecord(owner, ttl: ttl, .ptr(target.name)) : nil
        }
    }

    // MARK: everything

    /// The names of `cluster` that cannot be formed under `options.domain`, as `check` reports them.
    package static func problems(for cluster: Cluster, options: RecordOptions) -> [String] {
        var partitions = cluster.partitions
        for namespace in cluster.namespaces where partitions[namespace] == nil { partitions[namespace] = NamespacePartition() }
        return partitions.keys.sorted().flatMap { namespace in
            partitions[namespace].map { NamespaceRecords(namespace, $0, options: options).problems } ?? []
        }
    }
}
