import ClusterModel
import DNSWire
import IPAddressing
import Manifests

/// A service's names laid out directly from the model: the entries `compileForShard` makes of
/// its records (`RecordGenerator.serviceRecords`) when each of its names holds one RRset or
/// none, without the records or the namespace's owner table. A ClusterIP service: its name with
/// its one cluster IP, each endpoint name with one address, each named port's SRV record to the
/// service's name, and the `_<proto>` names above them. A headless one: its name with its
/// endpoints' addresses (one family), each endpoint name with one address, each named port's SRV
/// records to the endpoint names with their addresses as additional data, and the `_<proto>`
/// names. Most services of a cluster are such. A Service's names lie in its own subtree
/// (`<svc>.<ns>.svc.<zone>` and below), which no other name of the namespace enters, and its SRV
/// records lead only into it, so nothing but a CNAME chain into the namespace could look one of
/// them up while the namespace compiles: the caller lays services out this way only in a
/// namespace no chain leads back into.
struct ServiceEntries {
    var entries: [DirectEntry] = []
    var pointers: [(address: IPAddress, target: PointerTarget)] = []
    var recordCount = 0

    /// nil for any other service (ExternalName, dual-stack, no cluster IP, an endpoint name with
    /// more than one address or that starts with `_`, endpoints of both families or more than
    /// `EntryCompiler.maximumDirectAddresses` behind a headless name, two ports with one name and
    /// protocol, two port names that differ only in case, a name that cannot be formed, a
    /// headless port's answer past 16 KiB): `serviceRecords` and the owner table make those.
    init?(_ service: ClusterService, serviceRoot: DomainName, options: RecordOptions) {
        guard service.type != .externalName, let serviceName = options.names.service(service.name, under: serviceRoot)
        else { return nil }
        let ttl = options.ttl
        var failed = false
        let endpointNames = RecordGenerator.endpointNames(service, serviceName: serviceName, options: options) { _ in failed = true }
        guard !failed else { return nil }
        for endpoint in endpointNames {
            guard endpoint.addresses.count == 1, endpoint.name.wire[1] != UInt8(ascii: "_"),
                let entry = DirectEntry(owner: endpoint.name, record: RecordGenerator.addressRecord(endpoint.name, endpoint.addresses[0], ttl: ttl), zone: 0)
            else { return nil }
            self.entries.append(entry)
            self.pointers.append((endpoint.addresses[0], PointerTarget(endpoint.name, rank: .endpoint)))
        }
        self.recordCount = endpointNames.count
        let made =
            service.isHeadless
            ? self.layOutHeadless(serviceName, endpointNames, options: options)
            : self.layOutClusterIP(service, serviceName, options: options)
        guard made else { return nil }
    }

    /// The service's name with its one cluster IP, and its named ports' SRV records (spec 2.3).
    private mutating func layOutClusterIP(_ service: ClusterService, _ serviceName: DomainName, options: RecordOptions) -> Bool {
        guard service.clusterIPs.count == 1, let clusterIP = service.clusterIPs.first else { return false }
        let ttl = options.ttl
        let addressRecord = RecordGenerator.addressRecord(serviceName, clusterIP, ttl: ttl)
        guard let serviceEntry = DirectEntry(owner: serviceName, record: addressRecord, zone: 0) else { return false }
        self.entries.append(serviceEntry)
        self.pointers.append((clusterIP, PointerTarget(serviceName, rank: .clusterIP)))
        self.recordCount += 1
        var protocols: [PortProtocol] = []
        // Two ports with one owner (one name and protocol) make one RRset: the owner table's.
        var owners: Set<DomainName> = []
        for port in service.ports {
            guard let portName = port.name else { continue }
            guard let owner = options.names.port(portName, port.protocol, of: serviceName), owners.insert(owner).inserted,
                let entry = DirectEntry(
                    owner: owner,
                    service: RecordGenerator.portRecord(owner, port: port.port, of: serviceName, ttl: ttl),
                    additional: [addressRecord], zone: 0)
            else { return false }
            self.entries.append(entry)
            self.recordCount += 1
            if !protocols.contains(port.protocol) { protocols.append(port.protocol) }
        }
        return self.addProtocolNames(protocols, of: serviceName, options: options)
    }

    /// The service's name with one address per published endpoint (ready, or any with
    /// `publishNotReadyAddresses`; spec 2.4.1), and per named port one SRV record per published
    /// endpoint that has it (spec 2.4.2), as `serviceRecords` makes them:
    /// ports in the order of their `<name>/<protocol>` keys, targets in endpoint order, weight
    /// 100 shared out.
    private mutating func layOutHeadless(
        _ serviceName: DomainName, _ endpointNames: [(name: DomainName, addresses: [IPAddress], ports: [EndpointPort])],
        options: RecordOptions
    ) -> Bool {
        guard !endpointNames.isEmpty else { return true }
        let ttl = options.ttl
        var addresses: [IPAddress] = []
        addresses.reserveCapacity(endpointNames.count)
        // A few endpoints (most services) are compared in place: hashing them cost more than
        // laying out their names. Many are hashed, never compared pairwise.
        var seen: Set<IPAddress> = []
        for endpoint in endpointNames {
            let address = endpoint.addresses[0]
            let isNew = endpointNames.count <= 16 ? !addresses.contains(address) : seen.insert(address).inserted
            if isNew { addresses.append(address) }
        }
        guard let serviceEntry = DirectEntry(owner: serviceName, addresses: addresses, ttl: ttl, zone: 0) else { return false }
        self.entries.append(serviceEntry)
        self.recordCount += addresses.count
        var protocols: [PortProtocol] = []
        // Two port names that differ only in case are one SRV owner (names compare without
        // case), whose records the owner table merges. The decoder refuses such names in slices
        // and subsets, as the API server does; the model does not rule them out.
        var owners: Set<DomainName> = []
        for port in RecordGenerator.headlessPorts(endpointNames) {
            let weight = UInt16(100 / port.targets.count)
            let records = port.targets.map { target in
                DirectEntry.ServiceRecord(
                    priority: 0, weight: weight, port: UInt16(target.port), target: endpointNames[target.endpoint].name,
                    additional: DirectEntry.Additional(ttl: ttl, address: endpointNames[target.endpoint].addresses[0]))
            }
            guard let owner = options.names.port(port.name, port.protocol, of: serviceName), owners.insert(owner).inserted,
                let entry = DirectEntry(owner: owner, services: records, ttl: ttl, zone: 0)
            else { return false }
            self.entries.append(entry)
            self.recordCount += records.count
            if !protocols.contains(port.protocol) { protocols.append(port.protocol) }
        }
        return self.addProtocolNames(protocols, of: serviceName, options: options)
    }

    /// The names between each SRV owner and the service's name (RFC 8020).
    private mutating func addProtocolNames(_ protocols: [PortProtocol], of serviceName: DomainName, options: RecordOptions) -> Bool {
        for proto in protocols {
            guard let name = options.names.portProtocol(proto, of: serviceName) else { return false }
            self.entries.append(DirectEntry(emptyName: name, zone: 0))
        }
        return true
    }
}
