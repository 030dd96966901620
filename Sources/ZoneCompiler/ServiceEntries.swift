import ClusterModel
import DNSWire
import IPAddressing
import Manifests

/// A ClusterIP service's names laid out directly from the model: the entries `compileForShard`
/// makes of its records (`RecordGenerator.serviceRecords`) when every one of its names has one
/// record or none — the service's name with its one cluster IP, each endpoint name with one
/// address, each named port's SRV record to the service's name, and the `_<proto>` names above
/// them — without the records or the namespace's owner table. Most services of a cluster are
/// such. A Service's names lie in its own subtree (`<svc>.<ns>.svc.<zone>` and below), which no
/// other name of the namespace enters, and its SRV records lead only to its own name, so nothing
/// but a CNAME chain into the namespace could look one of them up while the namespace compiles:
/// the caller lays services out this way only in a namespace no chain leads back into.
struct ServiceEntries {
    var entries: [DirectEntry] = []
    var pointers: [(address: IPAddress, target: PointerTarget)] = []
    var recordCount = 0

    /// nil for any other service (headless, ExternalName, dual-stack, no cluster IP, an endpoint
    /// name with more than one address or that starts with `_`, two ports with one name and
    /// protocol, a name that cannot be formed): `serviceRecords` and the owner table make those.
    init?(_ service: ClusterService, serviceRoot: DomainName, options: RecordOptions) {
        guard service.type != .externalName, !service.isHeadless, service.clusterIPs.count == 1,
            let clusterIP = service.clusterIPs.first,
            let serviceName = options.names.service(service.name, under: serviceRoot)
        else { return nil }
        let ttl = options.ttl
        var failed = false
        let endpointNames = RecordGenerator.endpointNames(service, serviceName: serviceName, options: options) { _ in failed = true }
        guard !failed else { return nil }
        let addressRecord = RecordGenerator.addressRecord(serviceName, clusterIP, ttl: ttl)
        for endpoint in endpointNames {
            guard endpoint.addresses.count == 1, endpoint.name.wire[1] != UInt8(ascii: "_"),
                let entry = DirectEntry(owner: endpoint.name, record: RecordGenerator.addressRecord(endpoint.name, endpoint.addresses[0], ttl: ttl), zone: 0)
            else { return nil }
            self.entries.append(entry)
            self.pointers.append((endpoint.addresses[0], PointerTarget(endpoint.name, rank: .endpoint)))
        }
        guard let serviceEntry = DirectEntry(owner: serviceName, record: addressRecord, zone: 0) else { return nil }
        self.entries.append(serviceEntry)
        self.pointers.append((clusterIP, PointerTarget(serviceName, rank: .clusterIP)))
        var protocols: [PortProtocol] = []
        var named: [(name: String, protocol: PortProtocol)] = []
        for port in service.ports {
            guard let portName = port.name else { continue }
            guard !named.contains(where: { $0.name == portName && $0.protocol == port.protocol }),
                let owner = options.names.port(portName, port.protocol, of: serviceName),
                let entry = DirectEntry(
                    owner: owner,
                    service: RecordGenerator.portRecord(owner, port: port.port, of: serviceName, ttl: ttl),
                    additional: [addressRecord], zone: 0)
            else { return nil }
            named.append((portName, port.protocol))
            self.entries.append(entry)
            if !protocols.contains(port.protocol) { protocols.append(port.protocol) }
        }
        // The names between each SRV owner and the service's name (RFC 8020).
        for proto in protocols {
            guard let name = options.names.portProtocol(proto, of: serviceName) else { return nil }
            self.entries.append(DirectEntry(emptyName: name, zone: 0))
        }
        self.recordCount = self.entries.count - protocols.count
    }
}
