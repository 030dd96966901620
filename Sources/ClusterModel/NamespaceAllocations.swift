import IPAddressing

/// What one namespace's objects hold by allocation, kept between derivations so that they keep
/// it (`AllocationTable`'s hints): by object name, in arrays. A table keyed by text per
/// namespace was a string and a hash slot per entry (at L's 80,000 allocated cluster IPs,
/// 9 MiB); the names here share the model's strings.
struct NamespaceAllocations: Sendable {
    /// An address allocated to the service or pod `name` (its family is the address's).
    struct Address: Sendable {
        var name: String
        var address: IPAddress
    }

    /// A node port allocated to port `portIndex` of the service `name`.
    struct NodePort: Sendable {
        var name: String
        var portIndex: Int
        var port: Int
    }

    var serviceIPs: [Address] = []
    var podIPs: [Address] = []
    var nodePorts: [NodePort] = []

    var isEmpty: Bool { self.serviceIPs.isEmpty && self.podIPs.isEmpty && self.nodePorts.isEmpty }

    /// The allocations of `partition` (namespace `namespace`) that `allocations` records: each
    /// address and node port of its objects that was allocated rather than written.
    init(_ namespace: String, _ partition: NamespacePartition, from allocations: AllocationTable) {
        // Room for every address and node port the objects hold, allocated or not: the arrays
        // stay as long as the namespace is unchanged, and grown by appending they kept up to
        // half their capacity empty.
        // Read by index: a copy of a service or pod retains each of its fields.
        let services = partition.services
        let pods = partition.pods
        var serviceIPs = 0
        var nodePorts = 0
        for index in services.indices {
            serviceIPs += services[index].clusterIPs.count
            for port in services[index].ports where port.nodePort != nil { nodePorts += 1 }
        }
        var podIPs = 0
        for index in pods.indices { podIPs += pods[index].ips.count }
        self.serviceIPs.reserveCapacity(serviceIPs)
        self.nodePorts.reserveCapacity(nodePorts)
        self.podIPs.reserveCapacity(podIPs)
        for index in services.indices {
            let name = services[index].name
            for address in services[index].clusterIPs
            where allocations.serviceIPs[AllocationTable.addressKey(namespace, name, address.family)] == address {
                self.serviceIPs.append(Address(name: name, address: address))
            }
            for (portIndex, port) in services[index].ports.enumerated() {
                guard let nodePort = port.nodePort,
                    allocations.nodePorts[AllocationTable.nodePortKey(namespace, name, portIndex)] == nodePort
                else { continue }
                self.nodePorts.append(NodePort(name: name, portIndex: portIndex, port: nodePort))
            }
        }
        for index in pods.indices {
            let name = pods[index].name
            for address in pods[index].ips
            where allocations.podIPs[AllocationTable.addressKey(namespace, name, address.family)] == address {
                self.podIPs.append(Address(name: name, address: address))
            }
        }
    }

    /// Adds these allocations to `table` as hints, keyed as `AllocationTable` keys them; an entry
    /// already there stays.
    func addHints(namespace: String, to table: inout AllocationTable) {
        for entry in self.serviceIPs {
            let key = AllocationTable.addressKey(namespace, entry.name, entry.address.family)
            if table.serviceIPs[key] == nil { table.serviceIPs[key] = entry.address }
        }
        for entry in self.podIPs {
            let key = AllocationTable.addressKey(namespace, entry.name, entry.address.family)
            if table.podIPs[key] == nil { table.podIPs[key] = entry.address }
        }
        for entry in self.nodePorts {
            let key = AllocationTable.nodePortKey(namespace, entry.name, entry.portIndex)
            if table.nodePorts[key] == nil { table.nodePorts[key] = entry.port }
        }
    }
}
