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
        self.serviceIPs.reserveCapacity(partition.services.reduce(0) { $0 + $1.clusterIPs.count })
        self.nodePorts.reserveCapacity(partition.services.reduce(0) { $0 + $1.ports.lazy.filter { $0.nodePort != nil }.count })
        self.podIPs.reserveCapacity(partition.pods.reduce(0) { $0 + $1.ips.count })
        for service in partition.services {
            for address in service.clusterIPs
            where allocations.serviceIPs[AllocationTable.addressKey(namespace, service.name, address.family)] == address {
                self.serviceIPs.append(Address(name: service.name, address: address))
            }
            for (index, port) in service.ports.enumerated() {
                guard let nodePort = port.nodePort,
                    allocations.nodePorts[AllocationTable.nodePortKey(namespace, service.name, index)] == nodePort
                else { continue }
                self.nodePorts.append(NodePort(name: service.name, portIndex: index, port: nodePort))
            }
        }
        for pod in partition.pods {
            for address in pod.ips
            where allocations.podIPs[AllocationTable.addressKey(namespace, pod.name, address.family)] == address {
                self.podIPs.append(Address(name: pod.name, address: address))
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
