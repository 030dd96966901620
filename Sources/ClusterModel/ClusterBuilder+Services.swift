import IPAddressing
import Manifests
import CoreSharing

extension ClusterBuilder {
    /// A service that passed the cluster-wide checks, waiting for its allocations.
    private struct PendingService {
        var cluster: ClusterService
        var familiesToAllocate: [IPAddress.Family]
        var nodePortsToAllocate: [Int]
    }

    /// Validates explicit cluster IPs and node ports across services (the first claimant, in file
    /// order, keeps an address; later ones are errors and left out), then allocates the rest.
    mutating func deriveServices(
        _ services: [(service: Service, location: SourceLocation, nameLocation: SourceLocation)]
    ) -> [ClusterService] {
        var allocators = AddressPool.byFamily(self.options.serviceCIDRs, takenElsewhere: self.reserved.serviceIP)
        var ipOwners: [IPAddress: String] = [:]
        var nodePortOwners: [Int: (owner: String, namespace: String, name: String)] = [:]
        var pending: [PendingService] = []
        pending.reserveCapacity(services.count)

        for (service, objectLocation, nameLocation) in services {
            CoreSharing.checkpoint()
            let identity = ObjectIdentity(kind: .service, namespace: service.metadata.namespace, name: service.metadata.name)
            let location = service.clusterIPLocation ?? objectLocation
            var errors: [ManifestDiagnostic] = []
            func fail(_ at: SourceLocation, _ message: String) {
                errors.append(.error(at: at, "\(identity): \(message)"))
            }

            var cluster = ClusterService(
                namespace: service.metadata.namespace, name: service.metadata.name, type: service.type,
                isHeadless: service.isHeadless, externalName: service.externalName, selector: service.selector,
                publishesNotReadyAddresses: service.publishesNotReadyAddresses)
            for address in service.loadBalancer.compactMap({ $0.ip.flatMap(IPAddress.init) }) + service.externalIPs.compactMap(IPAddress.init)
            where !cluster.externalAddresses.contains(address) {
                cluster.externalAddresses.append(address)
            }
            cluster.externalHostnames = service.loadBalancer.compactMap(\.hostname)
            cluster.ports = service.ports.map {
                ClusterServicePort(
                    name: $0.name, protocol: $0.protocol, port: $0.port, targetPort: $0.effectiveTargetPort,
                    nodePort: $0.nodePort)
            }
            var familiesToAllocate: [IPAddress.Family] = []

            let explicit = service.isHeadless ? [] : service.clusterIPs.compactMap { IPAddress($0) }
            if service.type == .externalName {
                cluster.ipFamilies = []
            } else if !explicit.isEmpty {
                for address in explicit {
                    if let problem = self.serviceAddressProblem(address) {
                        fail(location, problem)
                    } else if let owner = ipOwners[address] {
                        fail(location, "spec.clusterIP \(address) is already allocated to \(owner)")
                    } else if self.reserved.serviceIP(address) {
                        self.reservedConflict = true
                        fail(location, "spec.clusterIP \(address) is already allocated to a service in another namespace")
                    }
                }
                for (index, family) in service.ipFamilies.enumerated()
                where index < explicit.count && explicit[index].family != family {
                    fail(location, "spec.ipFamilies[\(index)] \(family.rawValue) does not match spec.clusterIPs[\(index)] \(explicit[index])")
                }
                cluster.clusterIPs = AddressList(explicit)
                cluster.ipFamilies = explicit.map(\.family)
                // RequireDualStack/PreferDualStack with one address given: the other family is allocated.
                if explicit.count == 1, service.ipFamilyPolicy?.hasSuffix("DualStack") == true {
                    let other = explicit[0].family.other
                    if self.options.hasServiceCIDR(for: other) {
                        familiesToAllocate.append(other)
                        cluster.ipFamilies.append(other)
                    } else if service.ipFamilyPolicy == "RequireDualStack" {
                        fail(location, "spec.ipFamilyPolicy is RequireDualStack, and the cluster has no \(other.rawValue) service CIDR")
                    }
                }
            } else {
                // The API server's special case: a headless Service without a selector may be dual-stack
                // on any cluster (its endpoints are written by hand), and defaults to RequireDualStack.
                let anyFamily = service.isHeadless && service.selector == nil
                let policy = service.ipFamilyPolicy ?? (anyFamily ? "RequireDualStack" : "SingleStack")
                var families = service.ipFamilies
                if families.isEmpty { families = [self.options.primaryFamily] }
                if policy.hasSuffix("DualStack"), families.count == 1 {
                    let other = families[0].other
                    if self.options.hasServiceCIDR(for: other) || anyFamily {
                        families.append(other)
                    } else if policy == "RequireDualStack" {
                        fail(location, "spec.ipFamilyPolicy is RequireDualStack, and the cluster has no \(other.rawValue) service CIDR")
                    }
                }
                if families.count > 1, policy == "SingleStack" {
                    fail(location, "spec.ipFamilies holds two families, which needs spec.ipFamilyPolicy PreferDualStack or RequireDualStack")
                }
                for family in families where !self.options.hasServiceCIDR(for: family) && !anyFamily {
                    fail(location, "spec.ipFamilies asks for \(family.rawValue), and the cluster has no \(family.rawValue) service CIDR")
                }
                cluster.ipFamilies = families
                if !service.isHeadless { familiesToAllocate = families }
            }

            var nodePortsToAllocate: [Int] = []
            var ownNodePorts: [Int: SourceLocation] = [:]
            for (index, port) in service.ports.enumerated() {
                guard service.type.hasNodePorts else { continue }
                guard let nodePort = port.nodePort else {
                    nodePortsToAllocate.append(index)
                    continue
                }
                let at = port.nodePortLocation ?? objectLocation
                let range = self.options.nodePortRange
                if !range.contains(nodePort) {
                    fail(at, "spec.ports[\(index)].nodePort \(nodePort) is outside the node port range \(range.lowerBound)-\(range.upperBound)")
                } else if let owner = nodePortOwners[nodePort],
                    owner.namespace != cluster.namespace || owner.name != cluster.name
                {
                    fail(at, "spec.ports[\(index)].nodePort \(nodePort) is already allocated to \(owner.owner)")
                } else if self.reserved.nodePort(nodePort) {
                    self.reservedConflict = true
                    fail(at, "spec.ports[\(index)].nodePort \(nodePort) is already allocated to a service in another namespace")
                }
                ownNodePorts[nodePort] = at
            }

            if !errors.isEmpty {
                for error in errors { self.report(error, namespace: service.metadata.namespace) }
                continue
            }
            for address in explicit {
                ipOwners[address] = "\(identity) (\(location))"
                allocators[address.family]?.reserve(address)
            }
            for (nodePort, at) in ownNodePorts {
                nodePortOwners[nodePort] = ("\(identity) (\(at))", cluster.namespace, cluster.name)
            }
            // Only a headless service's answers can outgrow a message (`checkAnswerSize`).
            if service.isHeadless { self.serviceLocations[identity] = nameLocation }
            pending.append(
                PendingService(
                    cluster: cluster, familiesToAllocate: familiesToAllocate,
                    nodePortsToAllocate: nodePortsToAllocate))
        }

        self.allocateServiceAddresses(&pending, allocators: &allocators)
        self.allocateNodePorts(&pending, taken: Set(nodePortOwners.keys))
        // Port lists and families repeat across services: one copy of each (the model is kept
        // between builds; at L the two were 15 MiB). Sets of this module's types rather than a
        // `ValueInterner`: its generic code, in another module, was not specialized for them, and
        // hashed each list through the protocols' run-time witnesses.
        var ports: Set<[ClusterServicePort]> = []
        var families: Set<[IPAddress.Family]> = []
        return pending.map { entry in
            var service = entry.cluster
            service.ports = ports.insert(service.ports).memberAfterInsert
            service.ipFamilies = families.insert(service.ipFamilies).memberAfterInsert
            return service
        }
    }

    /// Cluster IPs for services that gave none: previous allocations first, then new ones in
    /// sorted order, so that the outcome depends on the set of services, not on file order.
    private mutating func allocateServiceAddresses(
        _ pending: inout [PendingService], allocators: inout [IPAddress.Family: AddressPool]
    ) {
        // Requests in service order, each service's families in its order (primary first);
        // handed out in key order.
        var requests: [(key: String, index: Int, family: IPAddress.Family)] = []
        requests.reserveCapacity(pending.count)
        for (index, entry) in pending.enumerated() {
            for family in entry.familiesToAllocate {
                requests.append((AllocationTable.addressKey(entry.cluster.namespace, entry.cluster.name, family), index, family))
            }
        }
        let order = requests.indices.sorted { requests[$0].key < requests[$1].key }
        var granted = [IPAddress?](repeating: nil, count: requests.count)
        // Hinted requests keep their address when it is still free.
        for position in order {
            let request = requests[position]
            guard let hint = self.hints.serviceIPs[request.key], allocators[request.family]?.isTaken(hint) == false
            else { continue }
            granted[position] = allocators[request.family]?.allocate(request.key, hint: hint)
        }
        for position in order where granted[position] == nil {
            let request = requests[position]
            granted[position] = allocators[request.family]?.allocate(request.key, hint: nil)
        }
        self.allocations.serviceIPs.reserveCapacity(self.allocations.serviceIPs.count + requests.count)
        for (position, request) in requests.enumerated() {
            guard let address = granted[position] else { continue }
            self.allocations.serviceIPs[request.key] = address
            pending[request.index].cluster.clusterIPs.append(address)
        }
    }

    /// Node ports for NodePort/LoadBalancer ports that gave none, the same way as addresses.
    private mutating func allocateNodePorts(_ pending: inout [PendingService], taken explicit: Set<Int>) {
        let range = self.options.nodePortRange
        var taken = explicit
        var requests: [(key: String, service: Int, port: Int)] = []
        for (serviceIndex, entry) in pending.enumerated() {
            for portIndex in entry.nodePortsToAllocate {
                requests.append(
                    (AllocationTable.nodePortKey(entry.cluster.namespace, entry.cluster.name, portIndex), serviceIndex, portIndex))
            }
        }
        requests.sort { $0.key < $1.key }
        var granted: [String: Int] = [:]
        for request in requests {
            if let hint = self.hints.nodePorts[request.key], range.contains(hint), !taken.contains(hint),
                !self.reserved.nodePort(hint)
            {
                taken.insert(hint)
                granted[request.key] = hint
            }
        }
        let size = UInt64(range.count)
        for request in requests where granted[request.key] == nil {
            var offset = StableHash.fnv1a(request.key) % size
            for _ in 0..<size {
                let candidate = range.lowerBound + Int(offset)
                if !taken.contains(candidate), !self.reserved.nodePort(candidate) {
                    taken.insert(candidate)
                    granted[request.key] = candidate
                    break
                }
                offset = (offset + 1) % size
            }
        }
        for request in requests {
            guard let nodePort = granted[request.key] else { continue }
            self.allocations.nodePorts[request.key] = nodePort
            pending[request.service].cluster.ports[request.port].nodePort = nodePort
        }
    }

    /// Why an explicit cluster IP cannot be served, or nil. Only a range the user gave is a
    /// promise to check against; without one, the manifests are the truth.
    private func serviceAddressProblem(_ address: IPAddress) -> String? {
        guard self.options.checksServiceAddresses else { return nil }
        let blocks = self.options.serviceCIDRs(for: address.family)
        guard !blocks.isEmpty else {
            return "spec.clusterIP \(address) is \(address.family.rawValue), and the cluster has no \(address.family.rawValue) service CIDR"
        }
        if blocks.contains(where: { $0.contains(address) && address != $0.address }) { return nil }
        if blocks.count == 1 { return "spec.clusterIP \(address) is not in the service CIDR \(blocks[0])" }
        return "spec.clusterIP \(address) is not in any service CIDR (\(blocks.map(\.description).joined(separator: ", ")))"
    }
}
